// Package multicast benchmark (npm run bench:pkgmc [agents] [MiB]): `smp-lab ns` in its own process
// serves a lab package; N simulated agents in one process deliver it twice in the same run, once over
// HTTP only and once with package multicast on loopback (one master downloads, the others receive),
// with fresh identities each round. Prints one JSON line: wall time until every agent held a verified
// package, HTTP package bytes the NS sent, bytes taken from the group, and the ratios.
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet } from '../agent/load/runner.js';
import { freePort, startPackageNs } from './package-ns.js';
import { PACKAGE_MULTICAST_GROUP, TICKLE_MULTICAST_GROUP } from '../shared/catalog.js';

const agents = Number(process.argv[2] ?? 200);
const mib = Number(process.argv[3] ?? 8);
const work = mkdtempSync(join(tmpdir(), 'smp-bench-pkgmc-'));

const freeUdp = (): Promise<number> => new Promise((resolve) => {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const startNs = (port: number, tickleServerPort: number): Promise<() => Promise<void>> => startPackageNs(work, mib, port, tickleServerPort);

interface Round { readonly seconds: number; readonly httpMiB: number; readonly groupMiB: number; readonly masters: number }

async function round(ns: string, multicast: boolean): Promise<Round> {
  const fleet = await startFleet({
    ns, seed: `bench-pkgmc-${multicast ? 'on' : 'off'}-${Date.now()}`, count: agents, ipBase: '127.1.0.1', shard: { index: 0, count: 1 },
    trustedServer: 'BENCH-NS', tickleHost: '0.0.0.0', ticklePort: 0, wakePort: 0, wakeGroup: TICKLE_MULTICAST_GROUP, interfaceAddress: '127.0.0.1',
    noListen: true, stateDir: join(work, 'state'), keyPool: 4, accelerate: 1, jitter: 0.1, rampMs: 0, concurrency: 1000, sourceAddress: true,
    install: false, delivery: true, asleep: 0, requestTimeoutMs: 120_000, intervalMs: 24 * 3_600_000,
    ...(multicast ? { packageMulticast: { port: await freeUdp(), group: PACKAGE_MULTICAST_GROUP, interfaceAddress: '127.0.0.1' } } : {}),
  });
  const t0 = performance.now();
  const deadline = t0 + 600_000;
  while (fleet.engine.holdings!.upToDate() < agents && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - t0) / 1000;
  const c = fleet.engine.packageMulticast?.counters;
  const stats = await fleet.stop();
  if (fleet.engine.holdings!.upToDate() < agents || stats.totals().errors > 0) throw new Error(`fleet did not deliver cleanly (${stats.totals().errors} errors)`);
  return { seconds, httpMiB: stats.bytes('package-download') / (1 << 20), groupMiB: (c?.bytes.multicast ?? 0) / (1 << 20), masters: c?.masters ?? 0 };
}

const port = await freePort();
const stop = await startNs(port, await freePort());
try {
  const ns = `http://127.0.0.1:${port}`;
  const http = await round(ns, false);
  const mc = await round(ns, true);
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  process.stdout.write(`${JSON.stringify({
    scenario: 'package-multicast', agents, payloadMiB: mib,
    httpOnly: { seconds: r2(http.seconds), nsSentMiB: r2(http.httpMiB) },
    multicast: { seconds: r2(mc.seconds), nsSentMiB: r2(mc.httpMiB), fromGroupMiB: r2(mc.groupMiB), masters: mc.masters },
    nsBytesRatio: r2(mc.httpMiB / http.httpMiB), timeRatio: r2(mc.seconds / http.seconds),
  })}\n`);
} finally {
  await stop();
  rmSync(work, { recursive: true, force: true });
}
