// The shard files of a sharded load run: what shard i of n calls its report, and finding (or waiting
// for) all n of them in a directory that every shard writes to (a shared volume of a Kubernetes run).
// Reports are written atomically (tmp + rename), so a file that exists is whole.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { smpError } from '../../shared/errors.js';

/** File stem of shard `index` of `count` (`<stem>.json`, `.html`, `.shard.json`). */
export const shardReportName = (index: number, count: number): string => `shard-${index}-of-${count}`;

export interface ShardFiles {
  /** Paths of the shard files found, in shard order. */
  readonly present: string[];
  /** Shard indexes without a file yet. */
  readonly missing: number[];
}

/** The `.shard.json` files of shards 0..count-1 in `dir`; a missing directory has none of them. */
export function findShardFiles(dir: string, count: number): ShardFiles {
  let names: Set<string>;
  try {
    names = new Set(readdirSync(dir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw smpError('NOT_FOUND', `cannot read ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    names = new Set();
  }
  const present: string[] = [];
  const missing: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const file = `${shardReportName(i, count)}.shard.json`;
    if (names.has(file)) present.push(join(dir, file));
    else missing.push(i);
  }
  return { present, missing };
}

const abbreviate = (xs: readonly number[]): string =>
  (xs.length <= 10 ? xs.join(', ') : `${xs.slice(0, 10).join(', ')} ...`);

/**
 * Polls `dir` until all `count` shard files are there (a shared volume may be NFS, where change
 * events do not arrive), up to `waitMs`; then throws one line naming the missing shards.
 */
export async function waitForShardFiles(dir: string, count: number,
  o: { waitMs: number; everyMs?: number; signal?: AbortSignal; onWait?: (missing: number) => void }): Promise<string[]> {
  const deadline = Date.now() + o.waitMs;
  let reported = -1;
  for (;;) {
    const found = findShardFiles(dir, count);
    if (found.missing.length === 0) return found.present;
    if (Date.now() >= deadline || o.signal?.aborted === true) {
      throw smpError('TIMEOUT', `${found.missing.length} of ${count} shard files are not in ${dir} `
        + `(shards ${abbreviate(found.missing)}); did those shards finish? `
        + `each writes ${shardReportName(0, count)}.shard.json and so on when its --duration ends`);
    }
    if (found.missing.length !== reported) {
      reported = found.missing.length;
      o.onWait?.(reported);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(o.everyMs ?? 2000, Math.max(1, deadline - Date.now())));
      function done(): void { clearTimeout(timer); o.signal?.removeEventListener('abort', done); resolve(); }
      o.signal?.addEventListener('abort', done, { once: true });
    });
  }
}
