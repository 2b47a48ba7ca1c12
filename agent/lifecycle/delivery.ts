// Software delivery of one simulated agent (notes §2.4 step 7): GetPackageInfo -> speed check of the
// codebases -> GetPackageSnapshot, verified against the package's sourceKey -> each file streamed from
// the fastest codebase and checked (size, SHA-256), the next codebase on any failure -> download
// status NSEs. With package multicast (package-multicast.ts) the agent may instead be its process's
// multicast master (downloads and keeps the package to send it) or a receiver (blocks from the group,
// the rest over HTTP(S)). It records each of its requests itself and never throws.
import { isSmpError } from '../../shared/errors.js';
import { decodePackageInfo, packageInfoUrlPath, type PackageInfo } from '../../shared/protocol/package-info.js';
import { decodeSignedSnapshot, snapshotUrlPath, verifySignedSnapshot, type Snapshot } from '../../shared/protocol/package-snapshot.js';
import type { Endpoint, Outcome } from '../load/outcome.js';
import type { FleetEngine } from './fleet-engine.js';
import { receive } from './delivery-multicast.js';
import type { Role } from './package-multicast.js';
import { download, record, status, type AgentCall, type Attempt, type Downloaded } from './package-download.js';
import { downloadTargets, keyOf, probeTargets, rankTargets, type CodebaseTarget, type ProbeResult } from './speed-check.js';
import { sourceKey } from './source-speeds.js';
import { Step, type StepResult } from './step-types.js';

/** The real agent's download retry schedule (minutes; then every 120), notes §2.4 step 7. */
export const SWD_RETRY_MINUTES = [3, 6, 12, 24, 48, 96, 120] as const;
const PROBE_TIMEOUT_MS = 2000;

export type { AgentCall } from './package-download.js';

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
  const ranked = await rankedSources(a, downloadTargets(info.codebases));
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
  // The election window and the master's confirmation are spent without a request slot (parked).
  let role: Role | null = mc ? (info.enableMulticast ? await e.parked(mc.acquire(k, call.id, snap)) : mc.direct('not-enabled')) : null;
  if (role?.kind === 'master' && !(await e.parked(mc!.confirm(role.session)))) role = { kind: 'receiver', session: role.session, received: role.session.wait(k) };
  const t0 = performance.now();
  let got: Downloaded;
  let via: { server: string; url: string };
  if (role?.kind === 'receiver') {
    const r = await receive(a, role.session, role.received, snap, ranked, t0);
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

/**
 * The agent's codebases fastest first: its speed check of each host:port, reused for 6 h (accelerated)
 * once answered, each source slowed by the downloads that failed from it since the last check.
 */
async function rankedSources(a: Attempt, targets: readonly CodebaseTarget[]): Promise<CodebaseTarget[]> {
  const { e, k, call } = a;
  const speeds = e.sourceSpeeds;
  const now = performance.now();
  const probes = new Map<string, ProbeResult>();
  const stale: CodebaseTarget[] = [];
  for (const t of targets) {
    const hit = speeds?.cached(k, keyOf(t), now);
    if (hit) probes.set(keyOf(t), hit);
    else stale.push(t);
  }
  if (stale.length > 0) {
    // A full speed check (nothing cached any more) starts every source again at full speed; a host
    // that did not answer last time is simply asked again.
    if (stale.length === targets.length) speeds?.resetPenalties(k);
    const fresh = await probeTargets(stale, call.localAddress, PROBE_TIMEOUT_MS, (r) => record(e, 'speed-check', r.outcome, now));
    for (const [key, r] of fresh) {
      probes.set(key, r);
      speeds?.store(k, key, r, now);
    }
  }
  return rankTargets(targets, probes, (t) => speeds?.factor(k, sourceKey(t)) ?? 1);
}

/** GetPackageInfo for the wanted package, with the minutes spent trying so far (accelerated). */
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

