// The receiver's side of package multicast in a simulated agent's delivery: it waits for the blocks
// (until `done`, a full bitmap or silence), takes each file whose blocks all arrived and verify, and
// fetches what is missing over HTTP(S) (Range requests for the missing blocks, the whole file when
// that fails). Counts how each package came; never throws.
import type { Snapshot } from '../../shared/protocol/package-snapshot.js';
import type { MulticastSession, Received } from './multicast-session.js';
import { download, record, status, type Attempt, type Downloaded } from './package-download.js';
import type { CodebaseTarget } from './speed-check.js';

/**
 * A receiver: listens for the blocks until `done`, a full bitmap or silence; files whose blocks all
 * arrived and whose SHA-256 matches the snapshot are taken from them, the rest come over HTTP(S):
 * only the missing blocks (Range) when it holds some of the file's blocks, else the whole file.
 */
export async function receive(a: Attempt, s: MulticastSession, received: Promise<Received>, snap: Snapshot, ranked: readonly CodebaseTarget[], t0: number):
  Promise<{ got: Downloaded; via: { server: string; url: string } }> {
  const { e } = a;
  const mc = e.packageMulticast!;
  const master = s.local?.name ?? s.heard?.name ?? '';
  await status(a, { status: 'started', version: snap.version, server: master, url: mc.url });
  const r = await e.parked(received); // listening holds no request slot
  const missing: number[] = [];
  let mcBytes = 0;
  snap.files.forEach((f, i) => {
    if (s.fileFromBlocks(i, r.bits)) mcBytes += f.size;
    else missing.push(i);
  });
  const c = mc.counters;
  const viaMc = { server: r.master, url: mc.url };
  if (missing.length === 0) {
    record(e, 'package-multicast', 'ok', t0, mcBytes);
    c.delivered.multicast += 1;
    c.bytes.multicast += mcBytes;
    return { got: { outcome: 'ok', bytes: mcBytes }, via: viaMc };
  }
  const none = r.bits === null || r.bits.every((b) => b === 0);
  c.fallbacks[r.end === 'abandoned' ? 'master-failed' : none ? 'no-master' : 'missing-blocks'] += 1;
  const got = await download(a, snap, ranked, missing, undefined, (i) => s.runs(i, r.bits));
  const group = mcBytes + (got.fromGroup ?? 0);
  if (group > 0) record(e, 'package-multicast', got.outcome === 'ok' ? 'ok' : got.outcome, t0, group);
  if (got.outcome !== 'ok') return { got: { outcome: got.outcome, bytes: group + got.bytes }, via: viaMc };
  c.delivered[group > 0 ? 'mixed' : 'http'] += 1;
  c.bytes.multicast += group;
  c.bytes.http += got.bytes;
  const http = { server: got.via?.codebase.server ?? '', url: got.via?.codebase.url ?? '' };
  return { got: { outcome: 'ok', bytes: group + got.bytes, via: got.via! }, via: http };
}
