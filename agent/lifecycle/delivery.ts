// Software delivery of one simulated agent (notes §2.4 step 7): GetPackageInfo -> speed check of the
// codebases -> GetPackageSnapshot, verified against the package's sourceKey -> each file streamed from
// the fastest codebase and checked (size, SHA-256), the next codebase on any failure -> download
// status NSEs. With package multicast (package-multicast.ts) the agent may instead be its process's
// multicast master (downloads and keeps the package to send it) or a receiver (blocks from the group,
// the rest over HTTP(S)). It records each of its requests itself and never throws.
import { createHash } from 'node:crypto';
import { isSmpError } from '../../shared/errors.js';
import { decodePackageInfo, packageInfoUrlPath, type PackageInfo } from '../../shared/protocol/package-info.js';
import { decodeSignedSnapshot, snapshotUrlPath, verifySignedSnapshot, type Snapshot } from '../../shared/protocol/package-snapshot.js';
import type { AgentIdentity } from '../fleet/identity.js';
import type { Endpoint, Outcome } from '../load/outcome.js';
import type { FleetEngine } from './fleet-engine.js';
import { packageStatusBody, type DownloadStatusRow, type WantedPackage } from './messages.js';
import type { MulticastSession } from './multicast-session.js';
import type { Role } from './package-multicast.js';
import { downloadTargets, probeTargets, rankTargets, type CodebaseTarget } from './speed-check.js';
import { AGENT_PAGES, Step, type StepResult } from './step-types.js';

/** The real agent's download retry schedule (minutes; then every 120), notes §2.4 step 7. */
export const SWD_RETRY_MINUTES = [3, 6, 12, 24, 48, 96, 120] as const;
const PROBE_TIMEOUT_MS = 2000;

export interface AgentCall {
  readonly id: AgentIdentity;
  readonly localAddress: string | undefined;
  readonly headers: Record<string, string>;
}

interface Attempt {
  readonly e: FleetEngine;
  readonly k: number;
  readonly call: AgentCall;
  readonly want: WantedPackage;
}

const record = (e: FleetEngine, endpoint: Endpoint, outcome: Outcome, t0: number, bytes = 0): void => {
  e.opts.stats.record(endpoint, outcome, (performance.now() - t0) * 1000);
  e.opts.stats.recordBytes(endpoint, bytes);
};

/** Delivers the agent's first pending package; the engine retries a failure on SWD_RETRY_MINUTES. */
export async function deliveryStep(e: FleetEngine, k: number, call: AgentCall): Promise<StepResult> {
  const h = e.holdings;
  const want = h?.pending(k);
  if (!h || !want) return { endpoint: 'package-download', outcome: 'ok', next: Step.IDLE, recorded: true };
  if (h.tryingSince[k] === 0) h.tryingSince[k] = performance.now();
  const a: Attempt = { e, k, call, want };
  const failed = (outcome: Outcome): StepResult => {
    const minutes = SWD_RETRY_MINUTES[Math.min(e.retries[k]!, SWD_RETRY_MINUTES.length - 1)]!;
    return { endpoint: 'package-download', outcome, retryAfterMs: minutes * 60_000, recorded: true };
  };
  const info = await packageInfo(a);
  if (typeof info === 'string') return failed(info);
  const probeStarted = performance.now();
  const probes = await probeTargets(downloadTargets(info.codebases), call.localAddress, PROBE_TIMEOUT_MS,
    (r) => record(e, 'speed-check', r.outcome, probeStarted));
  const ranked = rankTargets(downloadTargets(info.codebases), probes);
  const snap = await snapshot(a, info);
  if (typeof snap === 'string') {
    await status(a, { status: 'failed', version: info.version, reason: `${snap}: snapshot refused` });
    return failed(snap);
  }
  if (ranked.length === 0) {
    await status(a, { status: 'failed', version: snap.version, reason: 'refused: no codebase answered the speed check' });
    return failed('refused');
  }
  const mc = e.packageMulticast;
  // Multicast only for a package the NS marks `enableMulticast` (GetPackageInfo), when the process runs it.
  const role: Role | null = mc ? (info.enableMulticast ? await mc.acquire(k, call.id, snap) : mc.direct('not-enabled')) : null;
  const t0 = performance.now();
  let got: Downloaded;
  let via: { server: string; url: string };
  if (role?.kind === 'receiver') {
    const r = await receive(a, role.session, snap, ranked, t0);
    got = r.got;
    via = r.via;
  } else {
    await status(a, { status: 'started', version: snap.version, server: ranked[0]!.codebase.server, url: ranked[0]!.codebase.url });
    const keep = role?.kind === 'master' ? { buf: Buffer.allocUnsafe(role.session.size), offsets: role.session.offsets } : undefined;
    got = await download(a, snap, ranked, snap.files.map((_f, i) => i), keep);
    via = { server: got.via?.codebase.server ?? '', url: got.via?.codebase.url ?? '' };
    if (role?.kind === 'master') {
      if (got.outcome === 'ok') void mc!.serve(role.session, keep!.buf);
      else void mc!.abandon(role.session);
    }
    if (got.outcome === 'ok' && mc) {
      mc.counters.delivered.http += 1;
      mc.counters.bytes.http += got.bytes;
    }
  }
  const ms = performance.now() - t0;
  if (got.outcome !== 'ok') {
    await status(a, { status: 'failed', version: snap.version, bytes: got.bytes, ms, reason: `${got.outcome}: every codebase failed` });
    return failed(got.outcome);
  }
  h.markHeld(k, want.guid, snap.version);
  await status(a, { status: 'complete', version: snap.version, server: via.server, url: via.url, bytes: got.bytes, ms });
  return { endpoint: 'package-download', outcome: 'ok', next: h.pending(k) ? Step.PACKAGES : Step.IDLE, recorded: true };
}

/**
 * A receiver: listens for the blocks until `done`, a full bitmap or silence; files whose blocks all
 * arrived and whose SHA-256 matches the snapshot are taken from them, the rest come over HTTP(S).
 */
async function receive(a: Attempt, s: MulticastSession, snap: Snapshot, ranked: readonly CodebaseTarget[], t0: number):
  Promise<{ got: Downloaded; via: { server: string; url: string } }> {
  const { e, k } = a;
  const mc = e.packageMulticast!;
  const master = s.local?.name ?? s.heard?.name ?? '';
  await status(a, { status: 'started', version: snap.version, server: master, url: mc.url });
  const r = await s.wait(k);
  const missing: number[] = [];
  let mcBytes = 0;
  snap.files.forEach((f, i) => {
    if (s.fileFromBlocks(i, r.bits)) mcBytes += f.size;
    else missing.push(i);
  });
  const c = mc.counters;
  if (missing.length > 0) {
    c.fallbacks[r.bits === null ? (r.end === 'abandoned' ? 'master-failed' : 'no-master') : 'missing-blocks'] += 1;
  }
  if (mcBytes > 0) record(e, 'package-multicast', 'ok', t0, mcBytes);
  const viaMc = { server: r.master, url: mc.url };
  if (missing.length === 0) {
    c.delivered.multicast += 1;
    c.bytes.multicast += mcBytes;
    return { got: { outcome: 'ok', bytes: mcBytes }, via: viaMc };
  }
  const got = await download(a, snap, ranked, missing);
  if (got.outcome !== 'ok') return { got: { outcome: got.outcome, bytes: mcBytes + got.bytes }, via: viaMc };
  c.delivered[mcBytes > 0 ? 'mixed' : 'http'] += 1;
  c.bytes.multicast += mcBytes;
  c.bytes.http += got.bytes;
  const http = { server: got.via?.codebase.server ?? '', url: got.via?.codebase.url ?? '' };
  return { got: { outcome: 'ok', bytes: mcBytes + got.bytes, via: got.via! }, via: http };
}

/** GetPackageInfo for the wanted package, with the minutes spent trying so far (accelerated). */
/** A GET of an agent page whose 200 body `decode` turns into a value; what `decode` throws is classed by `refused`. */
async function getDecoded<T extends object>(a: Attempt, endpoint: Endpoint, path: string, decode: (body: string) => T,
  refused: (err: unknown) => Outcome): Promise<T | Outcome> {
  const { e, call } = a;
  const t0 = performance.now();
  const r = await e.http.request('GET', path, { headers: call.headers, ...(call.localAddress ? { localAddress: call.localAddress } : {}) });
  let outcome: Outcome = r.outcome;
  let value: T | undefined;
  if (outcome === 'ok') {
    try {
      value = decode(r.body.toString('utf8'));
    } catch (err) {
      outcome = refused(err);
    }
  }
  record(e, endpoint, outcome, t0, r.bytes);
  return value ?? outcome;
}

async function packageInfo(a: Attempt): Promise<PackageInfo | Outcome> {
  const { e, k, call, want } = a;
  const totalTime = Math.floor(((performance.now() - e.holdings!.tryingSince[k]!) * (e.opts.accelerate ?? 1)) / 60_000);
  const path = packageInfoUrlPath({ resource: call.id.guid, version: '1', type: 'codebases', compress: false, totalTime,
    packages: [want.guid], addresses: [call.id.ip] });
  return getDecoded(a, 'get-package-info', path, (body) => {
    const info = decodePackageInfo(body).find((p) => p.id === want.guid);
    if (!info) throw new Error('the package is not in the answer');
    return info;
  }, () => 'bad-xml');
}

/** GetPackageSnapshot, verified with the sourceKey of GetPackageInfo: a bad signature is refused. */
async function snapshot(a: Attempt, info: PackageInfo): Promise<Snapshot | Outcome> {
  const { call, want } = a;
  const path = snapshotUrlPath({ packageGuid: want.guid, resource: call.id.guid, ...(want.version > 0 ? { version: want.version } : {}) });
  return getDecoded(a, 'get-package-snapshot', path, (body) => {
    const snap = verifySignedSnapshot(decodeSignedSnapshot(body), info.sourceKey);
    if (snap.packageId !== want.guid) throw new Error('snapshot of another package');
    return snap;
  }, (err) => (isSmpError(err) && err.code !== 'SMP_ERR_CRYPTO' ? 'bad-xml' : 'bad-signature'));
}

interface Downloaded {
  readonly outcome: Outcome;
  readonly bytes: number;
  readonly via?: CodebaseTarget;
}

/** Where a master keeps the package it downloads (to send it): the buffer and each file's offset in it. */
interface Keep {
  readonly buf: Buffer;
  readonly offsets: readonly number[];
}

/** The snapshot files `files` (indexes), each from the first codebase that serves it intact; files already verified are kept. */
async function download(a: Attempt, snap: Snapshot, ranked: readonly CodebaseTarget[], files: readonly number[], keep?: Keep): Promise<Downloaded> {
  let next = 0;
  let bytes = 0;
  let last: Outcome = 'refused';
  for (const target of ranked) {
    for (; next < files.length; next++) {
      const i = files[next]!;
      const f = snap.files[i]!;
      const r = await fetchFile(a, target, f.name, f.size, f.sha256, keep ? { buf: keep.buf, at: keep.offsets[i]! } : undefined);
      if (r.outcome !== 'ok') {
        last = r.outcome;
        break;
      }
      bytes += r.bytes;
    }
    if (next === files.length) return { outcome: 'ok', bytes, via: target };
  }
  return { outcome: last, bytes };
}

/** One file streamed through SHA-256 (and into `keep` for a master); longer than the snapshot says is cut off at once. */
async function fetchFile(a: Attempt, target: CodebaseTarget, name: string, size: number, sha256: string,
  keep?: { buf: Buffer; at: number }): Promise<{ outcome: Outcome; bytes: number }> {
  const { e, call } = a;
  const url = new URL(name.split('/').map(encodeURIComponent).join('/'), target.url);
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
async function status(a: Attempt, s: Partial<DownloadStatusRow> & Pick<DownloadStatusRow, 'status' | 'version'>): Promise<void> {
  const { e, call, want } = a;
  if (!want.statusEvents) return;
  const body = packageStatusBody(call.id, call.id.guid, { packageGuid: want.guid, server: '', url: '', bytes: 0, ms: 0, reason: '', ...s });
  const t0 = performance.now();
  const r = await e.http.request('POST', `${AGENT_PAGES}/PostEvent.aspx`, { body, headers: call.headers, ...(call.localAddress ? { localAddress: call.localAddress } : {}) });
  record(e, 'post-event', r.outcome, t0);
}
