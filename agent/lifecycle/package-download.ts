// HTTP(S) side of a simulated agent's software delivery: snapshot files streamed from ranked codebases
// through SHA-256 (a master also keeps the bytes to send them), a receiver's missing blocks fetched with
// Range requests and hashed together with the blocks it holds, and the download status NSEs. Every
// request is recorded; nothing throws; files are hashed, never written.
import { createHash } from 'node:crypto';
import type { Snapshot, SnapshotFile } from '../../shared/protocol/package-snapshot.js';
import type { AgentIdentity } from '../fleet/identity.js';
import type { Endpoint, Outcome } from '../load/outcome.js';
import { sourceKey } from './source-speeds.js';
import type { FleetEngine } from './fleet-engine.js';
import { packageStatusBody, type DownloadStatusRow, type WantedPackage } from './messages.js';
import type { FileRun } from './multicast-session.js';
import type { CodebaseTarget } from './speed-check.js';
import { AGENT_PAGES } from './step-types.js';

export interface AgentCall {
  readonly id: AgentIdentity;
  readonly localAddress: string | undefined;
  readonly headers: Record<string, string>;
}

export interface Attempt {
  readonly e: FleetEngine;
  readonly k: number;
  readonly call: AgentCall;
  readonly want: WantedPackage;
}

export const record = (e: FleetEngine, endpoint: Endpoint, outcome: Outcome, t0: number, bytes = 0): void => {
  e.opts.stats.record(endpoint, outcome, (performance.now() - t0) * 1000);
  e.opts.stats.recordBytes(endpoint, bytes);
};

export interface Downloaded {
  readonly outcome: Outcome;
  /** Response bytes received over HTTP(S). */
  readonly bytes: number;
  readonly via?: CodebaseTarget;
  /** Bytes of files completed from runs held from the group (with `held`). */
  readonly fromGroup?: number;
}

/** Where a master keeps the package it downloads (to send it): the buffer and each file's offset in it. */
export interface Keep {
  readonly buf: Buffer;
  readonly offsets: readonly number[];
}

/**
 * The snapshot files `files` (indexes), each from the first codebase that serves it intact; files
 * already verified are kept. `held(i)`: the runs of file i a receiver holds from the group, so only
 * the missing runs are fetched (Range requests); when that does not verify, the whole file is fetched.
 */
export async function download(a: Attempt, snap: Snapshot, ranked: readonly CodebaseTarget[], files: readonly number[], keep?: Keep,
  held?: (i: number) => readonly FileRun[] | null): Promise<Downloaded> {
  let next = 0;
  let bytes = 0;
  let fromGroup = 0;
  let last: Outcome = 'refused';
  for (const target of ranked) {
    for (; next < files.length; next++) {
      const i = files[next]!;
      const f = snap.files[i]!;
      const runs = held?.(i);
      if (runs) {
        const p = await fetchMissing(a, target, f, runs);
        bytes += p.bytes;
        if (p.outcome === 'ok') {
          fromGroup += runs.reduce((n, r) => n + (r.bytes?.length ?? 0), 0);
          continue;
        }
      }
      const r = await fetchFile(a, target, f.name, f.size, f.sha256, keep ? { buf: keep.buf, at: keep.offsets[i]! } : undefined);
      bytes += r.bytes;
      if (r.outcome !== 'ok') {
        last = r.outcome;
        a.e.sourceSpeeds?.penalize(a.k, sourceKey(target));
        break;
      }
    }
    if (next === files.length) return { outcome: 'ok', bytes, via: target, fromGroup };
  }
  return { outcome: last, bytes, fromGroup };
}

const fileUrl = (target: CodebaseTarget, name: string): URL => new URL(name.split('/').map(encodeURIComponent).join('/'), target.url);

/** A file from the runs held (hashed from memory) and the missing runs (one Range GET each, a 206 only), verified whole. */
async function fetchMissing(a: Attempt, target: CodebaseTarget, f: SnapshotFile, runs: readonly FileRun[]): Promise<{ outcome: Outcome; bytes: number }> {
  const { e, call } = a;
  const hash = createHash('sha256');
  let bytes = 0;
  for (const run of runs) {
    if (run.bytes) {
      hash.update(run.bytes);
      continue;
    }
    const len = run.end - run.start;
    let seen = 0;
    const t0 = performance.now();
    const r = await e.http.stream(fileUrl(target, f.name), { headers: { ...call.headers, range: `bytes=${run.start}-${run.end - 1}` },
      ...(call.localAddress ? { localAddress: call.localAddress } : {}) }, (chunk) => {
      seen += chunk.length;
      if (seen > len) return false;
      hash.update(chunk);
      return true;
    });
    const outcome: Outcome = r.outcome === 'ok' && seen !== len ? 'bad-checksum' : r.outcome;
    record(e, 'package-download', outcome, t0, r.bytes);
    bytes += r.bytes;
    if (outcome !== 'ok') return { outcome, bytes };
  }
  return { outcome: hash.digest('hex') === f.sha256 ? 'ok' : 'bad-checksum', bytes };
}

/** One file streamed through SHA-256 (and into `keep` for a master); longer than the snapshot says is cut off at once. */
async function fetchFile(a: Attempt, target: CodebaseTarget, name: string, size: number, sha256: string,
  keep?: { buf: Buffer; at: number }): Promise<{ outcome: Outcome; bytes: number }> {
  const { e, call } = a;
  const url = fileUrl(target, name);
  const hash = createHash('sha256');
  let seen = 0;
  const t0 = performance.now();
  const r = await e.http.stream(url, { headers: call.headers, ...(call.localAddress ? { localAddress: call.localAddress } : {}) }, (chunk) => {
    if (seen + chunk.length > size) {
      seen += chunk.length;
      return false;
    }
    keep?.buf.set(chunk, keep.at + seen);
    seen += chunk.length;
    hash.update(chunk);
    return true;
  });
  let outcome = r.outcome;
  if (seen > size || (outcome === 'ok' && (seen !== size || hash.digest('hex') !== sha256))) outcome = 'bad-checksum';
  record(e, 'package-download', outcome, t0, r.bytes);
  return { outcome, bytes: r.bytes };
}

/** Posts one download status NSE when the policy asks for them; a lost one is counted, not retried. */
export async function status(a: Attempt, s: Partial<DownloadStatusRow> & Pick<DownloadStatusRow, 'status' | 'version'>): Promise<void> {
  const { e, call, want } = a;
  if (!want.statusEvents) return;
  const body = packageStatusBody(call.id, call.id.guid, { packageGuid: want.guid, server: '', url: '', bytes: 0, ms: 0, reason: '', ...s });
  const t0 = performance.now();
  const r = await e.http.request('POST', `${AGENT_PAGES}/PostEvent.aspx`, { body, headers: call.headers, ...(call.localAddress ? { localAddress: call.localAddress } : {}) });
  record(e, 'post-event', r.outcome, t0);
}
