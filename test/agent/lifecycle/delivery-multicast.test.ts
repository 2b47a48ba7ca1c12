// Package multicast over real sockets on loopback (docs/protocol.md section 3): a fleet against a real
// NS elects one master per package, the master downloads over HTTP and sends the blocks to the group,
// the others receive them on the process's one socket and verify them; lost blocks are fetched over
// HTTP; a master that goes silent, a small package and `--no-package-multicast`-style runs use HTTP.
import t from 'tap';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type FleetRunOptions, type RunningFleet } from '../../../agent/load/runner.js';
import { SWD_DOWNLOAD_STATUS_CLASS, SWD_STATUS_ITEM } from '../../../agent/lifecycle/messages.js';
import { multicastRank } from '../../../agent/fleet/multicast-rank.js';
import { PACKAGE_MULTICAST_GROUP, TICKLE_MULTICAST_GROUP } from '../../../shared/catalog.js';
import { decodeNse } from '../../../shared/protocol/nse.js';
import { encodePkgMulticast, PkgKind } from '../../../shared/protocol/pkg-multicast.js';
import { parseW3cLog } from '../../../shared/protocol/w3c-log.js';
import { LAB_PACKAGE_GUID } from '../../../server/ns/packages/library.js';
import type { PackageMulticastOptions } from '../../../agent/lifecycle/package-multicast.js';
import { startTestNs, type TestNs } from '../../helpers/ns.js';
import { waitUntil } from '../../helpers/wait.js';

const stateDir = mkdtempSync(join(tmpdir(), 'smp-pkgmc-'));
t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));

const PAYLOAD = 200_000;
const mc = (over: Partial<PackageMulticastOptions> = {}): PackageMulticastOptions => ({
  port: 0, group: PACKAGE_MULTICAST_GROUP, interfaceAddress: '127.0.0.1', electionMs: 1500, waitMs: 3000, ...over,
});
const base = (ns: string, over: Partial<FleetRunOptions> = {}): FleetRunOptions => ({
  ns, seed: 'pkgmc', count: 30, ipBase: '127.1.0.1', shard: { index: 0, count: 1 }, trustedServer: 'NS-LAB',
  tickleHost: '0.0.0.0', ticklePort: 0, wakePort: 0, wakeGroup: TICKLE_MULTICAST_GROUP, interfaceAddress: '127.0.0.1', noListen: true,
  stateDir, keyPool: 2, accelerate: 1, jitter: 0.1, rampMs: 0, concurrency: 200, sourceAddress: true, install: false,
  delivery: true, asleep: 0, requestTimeoutMs: 10_000, packageMulticast: mc(), metricsPort: 0, ...over,
});

const startNs = (payloadSize = PAYLOAD): Promise<TestNs> =>
  startTestNs({ store: 'memory', packages: { labPackages: { count: 1, payloadSize } } });

/** Package file GETs the NS logged: file name, status, bytes sent. */
const fileLog = (ns: TestNs): Array<{ file: string; status: string; bytes: number }> => {
  const dir = join(ns.dataDir, 'logs', 'W3SVC1');
  return readdirSync(dir).filter((f) => f.endsWith('.log')).flatMap((f) => parseW3cLog(readFileSync(join(dir, f), 'utf8')).records)
    .filter((r) => r['cs-uri-stem']!.startsWith(`/Altiris/PS/Share/${LAB_PACKAGE_GUID}/cache/`))
    .map((r) => ({ file: r['cs-uri-stem']!.split('/').pop()!, status: r['sc-status']!, bytes: Number(r['sc-bytes']) }));
};
const fileGets = (ns: TestNs): string[] => fileLog(ns).map((l) => l.file);

/** Download status rows the NS stored: [package, version, status, server, url, bytes, ms, reason, time]. */
const statusRows = (ns: TestNs): string[][] => ns.ns.store.events.list(0, 10_000)
  .filter((e) => e.to?.toUpperCase() === SWD_STATUS_ITEM)
  .map((e) => decodeNse(ns.ns.store.events.body(e.id)!).inventory!.classes.find((c) => c.id === SWD_DOWNLOAD_STATUS_CLASS)!.rows[0]!.columns as string[]);

const pkgOf = (ns: TestNs) => ns.ns.store.packages.get(LAB_PACKAGE_GUID)!;
const packageBytes = (ns: TestNs): number => pkgOf(ns).files.reduce((n, f) => n + f.size, 0);
const metrics = async (f: RunningFleet): Promise<string> => (await fetch(`http://127.0.0.1:${f.metricsPort}/metrics`)).text();

/** The agent the election must pick: highest rank, ties by lowest GUID. */
const expectedMaster = (f: RunningFleet): string => {
  const ids = Array.from({ length: f.slice.end - f.slice.start }, (_, i) => f.ids.identity(i));
  ids.sort((a, b) => multicastRank(b) - multicastRank(a) || (a.guid < b.guid ? -1 : 1));
  return ids[0]!.name;
};

t.test('one master per package; the other agents receive it by multicast and verify it', async (t) => {
  const ns = await startNs();
  t.teardown(() => ns.close());
  const fleet = await startFleet(base(ns.http));
  t.teardown(() => fleet.stop());
  const pm = fleet.engine.packageMulticast!;
  t.ok(fleet.packageMulticastPort! > 0, 'the process bound its one package multicast socket');
  // Garbage on the group: counted and ignored, the session goes on.
  const junk = createSocket('udp4');
  await new Promise<void>((resolve) => junk.bind(0, '127.0.0.1', () => resolve()));
  junk.setMulticastInterface('127.0.0.1');
  junk.setMulticastTTL(1);
  t.teardown(() => junk.close());
  for (let i = 0; i < 40; i++) {
    const d = Buffer.alloc(1 + ((i * 37) % 600), i);
    if (i % 2) Buffer.from('AeXM\x01\x02').copy(d);
    await new Promise<void>((resolve) => junk.send(d, fleet.packageMulticastPort!, PACKAGE_MULTICAST_GROUP, () => resolve()));
  }
  await waitUntil(() => pm.counters.ignored.malformed + pm.counters.ignored['no-session'] >= 40, 'the 40 bad datagrams were counted', 5000);
  await waitUntil(() => fleet.engine.holdings!.upToDate() === 30, 'every agent holds the package', 20_000);
  await waitUntil(() => statusRows(ns).filter((r) => r[2] === 'complete').length === 30, '30 complete status events', 10_000);
  const c = pm.counters;
  t.equal(c.masters, 1, 'one master elected');
  t.equal(c.delivered.http, 1, 'only the master downloaded over HTTP');
  t.equal(c.delivered.multicast, 29, 'the 29 others received every file by multicast');
  t.equal(c.bytes.multicast, 29 * packageBytes(ns));
  t.ok(c.sent.data >= Math.ceil(packageBytes(ns) / 8192) && c.sent.done === 1 && c.sent.announce >= 1, 'announce, data, done sent');
  t.equal(c.received.done, 1, 'the done came back through the group');
  t.same(fileGets(ns).sort(), ['AeXLabPayload.bin', 'install.cmd', 'readme.txt'].sort(), 'the NS served each package file once (to the master)');

  const master = expectedMaster(fleet);
  const complete = statusRows(ns).filter((r) => r[2] === 'complete');
  const viaMc = complete.filter((r) => r[4]!.startsWith('multicast://239.255.52.30:'));
  t.equal(viaMc.length, 29, 'receivers report the multicast group as their source');
  t.ok(viaMc.every((r) => r[3] === master && Number(r[5]) === packageBytes(ns)), 'naming the elected master and the package bytes');
  t.equal(complete.filter((r) => r[4]!.startsWith('http')).length, 1, 'the master reports its HTTP codebase');

  const text = await metrics(fleet);
  t.match(text, /smp_agent_packages_delivered_total\{via="multicast"\} 29/);
  t.match(text, /smp_agent_packages_delivered_total\{via="http"\} 1/);
  t.match(text, new RegExp(`smp_agent_package_bytes_total\\{via="multicast"\\} ${29 * packageBytes(ns)}`));
  t.match(text, /smp_agent_requests_total\{endpoint="package-multicast",outcome="ok"\} 29/);
  t.equal(fleet.stats.count('package-download', 'ok'), 3, 'three HTTP file downloads in the whole fleet');
});

t.test('lost data blocks: the files they belong to come over HTTP, the package is still verified', async (t) => {
  const ns = await startNs();
  t.teardown(() => ns.close());
  // Blocks 2 and 5 of the package are never sent (both inside the payload, the first file in the snapshot order or not).
  const fleet = await startFleet(base(ns.http, { seed: 'pkgmc-loss', count: 20, packageMulticast: mc({ dropBlock: (n) => n === 2 || n === 5 }) }));
  t.teardown(() => fleet.stop());
  await waitUntil(() => fleet.engine.holdings!.upToDate() === 20, 'every agent holds the package', 20_000);
  const c = fleet.engine.packageMulticast!.counters;
  const files = pkgOf(ns).files;
  const withLoss = new Set<string>();
  let off = 0;
  for (const f of files) {
    const first = Math.floor(off / 8192);
    const end = Math.ceil((off + f.size) / 8192);
    if ([2, 5].some((b) => b >= first && b < end)) withLoss.add(f.name);
    off += f.size;
  }
  t.ok(withLoss.size >= 1 && withLoss.size < files.length, `the lost blocks fall in ${[...withLoss].join(', ')}`);
  t.equal(c.fallbacks['missing-blocks'], 19, 'every receiver saw blocks missing');
  t.equal(c.delivered.mixed, 19, 'and took the rest from the group');
  const log = await waitUntil(() => { const l = fileLog(ns); return l.length === 3 + 19 * 2 ? l : null; }, 'the NS logged 3 + 38 package GETs', 10_000);
  for (const f of files) {
    const base = f.name.split('/').pop()!;
    const lines = log.filter((l) => l.file === base);
    if (!withLoss.has(f.name)) {
      t.same(lines.map((l) => l.status), ['200'], `${f.name}: only the master fetched it`);
      continue;
    }
    t.equal(lines.filter((l) => l.status === '200').length, 1, `${f.name}: the master fetched it whole`);
    const ranges = lines.filter((l) => l.status === '206');
    t.equal(ranges.length, 38, `${f.name}: each receiver fetched the two lost blocks with Range requests`);
    t.ok(ranges.every((l) => l.bytes <= 8192 + 1024), 'each Range answer is one block (and headers)');
  }
  t.equal(c.bytes.multicast, 19 * (packageBytes(ns) - 2 * 8192), 'the receivers took all but the two lost blocks from the group');
  t.equal(c.bytes.http, packageBytes(ns) + 19 * 2 * 8192, 'HTTP bodies: the master\'s package and the receivers\' lost blocks');
  t.equal(fleet.stats.count('package-download', 'ok'), 3 + 38);
  await waitUntil(() => statusRows(ns).filter((r) => r[2] === 'complete').length === 20, '20 complete status events', 10_000);
  t.equal(statusRows(ns).filter((r) => r[2] === 'failed').length, 0);
  t.match(await metrics(fleet), /smp_agent_package_multicast_fallbacks_total\{reason="missing-blocks"\} 19/);
});

t.test('listening agents hold no request slot: with 4 requests in flight at most, 24 agents still share one download', async (t) => {
  const ns = await startNs();
  t.teardown(() => ns.close());
  const fleet = await startFleet(base(ns.http, { seed: 'pkgmc-slots', count: 24, concurrency: 4 }));
  t.teardown(() => fleet.stop());
  await waitUntil(() => fleet.engine.holdings!.upToDate() === 24, 'every agent holds the package', 20_000);
  const c = fleet.engine.packageMulticast!.counters;
  t.equal(c.masters, 1);
  t.equal(c.delivered.multicast, 23, 'the others all joined the election window and received the package');
  t.ok(fleet.engine.inflight <= 4, 'the cap held');
});

const freeUdpPort = (): Promise<number> => new Promise<number>((resolve) => {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});

t.test('two fleet processes (two shards, each its own socket on one port): one master for both', async (t) => {
  const ns = await startNs();
  t.teardown(() => ns.close());
  const port = await freeUdpPort();
  // A long election window: the two processes' windows overlap even when one starts late on a busy machine.
  const shard = (index: number) => startFleet(base(ns.http, { seed: 'pkgmc-two', count: 24, shard: { index, count: 2 }, packageMulticast: mc({ port, electionMs: 2500 }) }));
  const fleets = await Promise.all([shard(0), shard(1)]);
  for (const f of fleets) t.teardown(() => f.stop());
  await waitUntil(() => fleets.every((f) => f.engine.holdings!.upToDate() === 12), 'every agent of both shards holds the package', 20_000);
  const sum = (get: (f: RunningFleet) => number) => fleets.reduce((n, f) => n + get(f), 0);
  t.equal(sum((f) => f.engine.packageMulticast!.counters.masters), 1, 'one master across both processes');
  t.equal(sum((f) => f.engine.packageMulticast!.counters.delivered.http), 1);
  t.equal(sum((f) => f.engine.packageMulticast!.counters.delivered.multicast), 23, 'the 23 others, in both processes, received it by multicast');
  t.ok(fleets.every((f) => f.engine.packageMulticast!.counters.received.data > 0), 'both sockets received the blocks');
  t.equal(fileGets(ns).filter((g) => g === 'AeXLabPayload.bin').length, 1, 'the NS served the payload once');
});

t.test('a master heard on the group that goes silent: receivers fall back to HTTP after the deadline', async (t) => {
  const ns = await startNs();
  t.teardown(() => ns.close());
  const port = await freeUdpPort();
  // A master elsewhere on the subnet: it announces the package with a rank no agent beats, then dies.
  const fake = createSocket('udp4');
  await new Promise<void>((resolve) => fake.bind(0, '127.0.0.1', () => resolve()));
  fake.setMulticastInterface('127.0.0.1');
  fake.setMulticastTTL(1);
  t.teardown(() => fake.close());
  const fleet = await startFleet(base(ns.http, { seed: 'pkgmc-silent', count: 8, packageMulticast: mc({ port, waitMs: 1500 }) }));
  t.teardown(() => fleet.stop());
  const pm = fleet.engine.packageMulticast!;
  const p = pkgOf(ns);
  const announce = encodePkgMulticast({ kind: PkgKind.ANNOUNCE, packageGuid: LAB_PACKAGE_GUID, version: p.version, size: packageBytes(ns),
    blockSize: 8192, rank: 0xffffffff, master: 'REMOTE-MASTER' });
  await waitUntil(async () => {
    await new Promise<void>((resolve) => fake.send(announce, port, PACKAGE_MULTICAST_GROUP, () => resolve()));
    return pm.counters.received.announce > 0 && fleet.stats.count('get-package-snapshot', 'ok') === 8;
  }, 'the fleet heard the announce while its agents wait', 10_000, 100);
  await waitUntil(() => fleet.engine.holdings!.upToDate() === 8, 'every agent holds the package', 20_000);
  t.equal(pm.counters.masters, 0, 'no local master: one was heard on the group');
  t.equal(pm.counters.fallbacks['no-master'], 8, 'all eight fell back after the silence, with no block received');
  t.equal(pm.counters.delivered.http, 8);
  t.equal(fileGets(ns).filter((g) => g === 'AeXLabPayload.bin').length, 8);
});

t.test('small packages download directly; without the option every agent uses HTTP', async (t) => {
  const ns = await startNs(5_000);
  t.teardown(() => ns.close());
  const small = await startFleet(base(ns.http, { seed: 'pkgmc-small', count: 6 }));
  t.teardown(() => small.stop());
  await waitUntil(() => small.engine.holdings!.upToDate() === 6, 'every agent holds the small package', 20_000);
  t.equal(small.engine.packageMulticast!.counters.fallbacks.small, 6);
  t.equal(small.engine.packageMulticast!.counters.masters, 0);
  await small.stop();
  const big = await startNs();
  t.teardown(() => big.close());
  const off = await startFleet(base(big.http, { seed: 'pkgmc-off', count: 6, packageMulticast: undefined }));
  t.teardown(() => off.stop());
  t.equal(off.packageMulticastPort, null, 'no package multicast socket');
  await waitUntil(() => off.engine.holdings!.upToDate() === 6, 'every agent holds the package', 20_000);
  t.equal(fileGets(big).filter((g) => g === 'AeXLabPayload.bin').length, 6, 'each agent downloaded the payload');
});
