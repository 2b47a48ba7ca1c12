// Software delivery benchmark (npm run bench:delivery [agents] [MiB]): `smp-lab ns` in its own
// process serves a lab package with a large payload; N simulated agents deliver it (GetPackageInfo,
// speed check, signed snapshot, streamed + SHA-256-checked downloads, status events) and their
// aggregate download throughput is compared with N parallel `curl` downloads of the same payload file
// from the same NS, in the same run (curl before and after the fleet), and with N plain node:http GETs
// through SHA-256 (what Node's own client reaches without the SMP steps). Prints one JSON line.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startFleet } from '../agent/load/runner.js';
import { freePort, startPackageNs } from './package-ns.js';
import { TICKLE_MULTICAST_GROUP } from '../shared/catalog.js';
import { LAB_PACKAGE_GUID } from '../server/ns/packages/library.js';

const run = promisify(execFile);
const agents = Number(process.argv[2] ?? 20);
const mib = Number(process.argv[3] ?? 32);
const work = mkdtempSync(join(tmpdir(), 'smp-bench-delivery-'));

const startNs = (port: number, tickleServerPort: number): Promise<() => Promise<void>> => startPackageNs(work, mib, port, tickleServerPort);

/** N parallel curls of the payload; aggregate MiB/s over the batch's wall time. */
async function curlBatch(url: string, n: number): Promise<number> {
  const t0 = performance.now();
  const sizes = await Promise.all(Array.from({ length: n }, async () => {
    const { stdout } = await run('curl', ['-sS', '--fail', '-o', '/dev/null', '-w', '%{size_download}', url]);
    return Number(stdout);
  }));
  const s = (performance.now() - t0) / 1000;
  return sizes.reduce((a, b) => a + b, 0) / (1 << 20) / s;
}

/** N parallel plain node:http GETs of the payload through SHA-256 (no SMP steps): the floor of Node's own client. */
async function nodeBatch(url: string, n: number): Promise<number> {
  const { get, Agent } = await import('node:http');
  const { createHash } = await import('node:crypto');
  const agent = new Agent({ keepAlive: true });
  const t0 = performance.now();
  const sizes = await Promise.all(Array.from({ length: n }, () => new Promise<number>((resolve, reject) => {
    get(url, { agent }, (res) => {
      const h = createHash('sha256');
      let bytes = 0;
      res.on('data', (c: Buffer) => { bytes += c.length; h.update(c); });
      res.on('end', () => { h.digest(); resolve(bytes); });
      res.on('error', reject);
    }).on('error', reject);
  })));
  agent.destroy();
  return sizes.reduce((a, b) => a + b, 0) / (1 << 20) / ((performance.now() - t0) / 1000);
}

async function fleetRound(ns: string): Promise<{ mibPerS: number; deliveryS: number; rssDeltaMiB: number }> {
  const rss0 = process.memoryUsage().rss;
  let first = Infinity;
  let last = 0;
  let peak = rss0;
  const fleet = await startFleet({
    ns, seed: `bench-delivery-${Date.now()}`, count: agents, ipBase: '127.1.0.1', shard: { index: 0, count: 1 }, trustedServer: 'BENCH-NS',
    tickleHost: '0.0.0.0', ticklePort: 0, wakePort: 0, wakeGroup: TICKLE_MULTICAST_GROUP, interfaceAddress: '127.0.0.1', noListen: true,
    stateDir: join(work, 'state'), keyPool: 4, accelerate: 1, jitter: 0.1, rampMs: 0, concurrency: 1000, sourceAddress: true, install: false,
    delivery: true, asleep: 0, requestTimeoutMs: 120_000, intervalMs: 24 * 3_600_000,
  });
  const unsub = fleet.stats.subscribe((endpoint, outcome, us) => {
    if (endpoint !== 'package-download' || outcome !== 'ok') return;
    const now = performance.now();
    first = Math.min(first, now - us / 1000);
    last = Math.max(last, now);
  });
  const memTimer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  const deadline = performance.now() + 600_000;
  while (fleet.engine.holdings!.upToDate() < agents && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  clearInterval(memTimer);
  unsub();
  const stats = await fleet.stop();
  const errors = stats.totals().errors;
  if (fleet.engine.holdings!.upToDate() < agents || errors > 0) throw new Error(`fleet did not deliver cleanly (${errors} errors)`);
  const bytes = stats.bytes('package-download');
  return { mibPerS: bytes / (1 << 20) / ((last - first) / 1000), deliveryS: (last - first) / 1000, rssDeltaMiB: (peak - rss0) / (1 << 20) };
}

const port = await freePort();
const stop = await startNs(port, await freePort());
try {
  const ns = `http://127.0.0.1:${port}`;
  const payload = `${ns}/Altiris/PS/Share/${LAB_PACKAGE_GUID}/cache/AeXLabPayload.bin`;
  await curlBatch(payload, 1); // warm the page cache
  const before = await curlBatch(payload, agents);
  const node = await nodeBatch(payload, agents);
  const fleet = await fleetRound(ns);
  const after = await curlBatch(payload, agents);
  const curl = (before + after) / 2;
  const round = (x: number): number => Math.round(x * 100) / 100;
  process.stdout.write(`${JSON.stringify({
    scenario: 'delivery', agents, payloadMiB: mib, fleetMiBPerS: round(fleet.mibPerS), curlMiBPerS: round(curl),
    curlRuns: [round(before), round(after)], ratio: round(fleet.mibPerS / curl), nodeHttpMiBPerS: round(node), fleetDownloadS: round(fleet.deliveryS),
    fleetPeakRssDeltaMiB: round(fleet.rssDeltaMiB),
  })}\n`);
} finally {
  await stop();
  rmSync(work, { recursive: true, force: true });
}
