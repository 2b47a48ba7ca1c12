// Software delivery of simulated agents against a real Notification Server: GetPackageInfo, the speed
// check (a dead package server is left out), the signed snapshot, streamed downloads the NS logs, and
// the status events it stores; a tampered snapshot or file is refused and a lying codebase falls back
// to the next. Also: `--install` fetches each OS flavour's own bootstrap (the Mac one for Macs).
import t from 'tap';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type FleetRunOptions, type RunningFleet } from '../../../agent/load/runner.js';
import { INSTALLERS } from '../../../agent/lifecycle/steps.js';
import { SWD_DOWNLOAD_STATUS_CLASS, SWD_STATUS_ITEM } from '../../../agent/lifecycle/messages.js';
import { TICKLE_MULTICAST_GROUP } from '../../../shared/catalog.js';
import { Command } from '../../../shared/protocol/tickle.js';
import { decodeNse } from '../../../shared/protocol/nse.js';
import { parseW3cLog } from '../../../shared/protocol/w3c-log.js';
import { LAB_PACKAGE_GUID } from '../../../server/ns/packages/library.js';
import { startTestNs, type TestNs } from '../../helpers/ns.js';
import { startRewritingProxy } from '../../helpers/rewriting-proxy.js';
import { freePorts } from '../../helpers/free-port.js';
import { waitUntil } from '../../helpers/wait.js';

const stateDir = mkdtempSync(join(tmpdir(), 'smp-delivery-'));
t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));

const PAYLOAD = 150_000;
const base = (ns: string, over: Partial<FleetRunOptions> = {}): FleetRunOptions => ({
  ns, seed: 'swd-20', count: 16, ipBase: '127.1.0.1', shard: { index: 0, count: 1 }, trustedServer: 'NS-LAB',
  tickleHost: '0.0.0.0', ticklePort: 0, wakePort: 0, wakeGroup: TICKLE_MULTICAST_GROUP, interfaceAddress: '127.0.0.1', noListen: true,
  stateDir, keyPool: 2, accelerate: 1, jitter: 0.1, rampMs: 200, concurrency: 100, sourceAddress: true, install: false,
  delivery: true, asleep: 0, requestTimeoutMs: 10_000, ...over,
});

const startNs = (over: Parameters<typeof startTestNs>[0] = {}): Promise<TestNs> =>
  startTestNs({ store: 'memory', packages: { labPackages: { count: 1, payloadSize: PAYLOAD } }, ...over });

const accessLog = (ns: TestNs): Array<Record<string, string>> => {
  const dir = join(ns.dataDir, 'logs', 'W3SVC1');
  return readdirSync(dir).filter((f) => f.endsWith('.log')).flatMap((f) => parseW3cLog(readFileSync(join(dir, f), 'utf8')).records);
};

/** Download status rows the NS stored: [package, version, status, server, url, bytes, ms, reason, time]. */
const statusRows = (ns: TestNs): string[][] => ns.ns.store.events.list(0, 10_000)
  .filter((e) => e.to?.toUpperCase() === SWD_STATUS_ITEM)
  .map((e) => decodeNse(ns.ns.store.events.body(e.id)!).inventory!.classes.find((c) => c.id === SWD_DOWNLOAD_STATUS_CLASS)!.rows[0]!.columns as string[]);

/** Overwrites 8 bytes of the lab package's payload file on the NS's disk at `offset`. */
const tamperPayload = (ns: TestNs, offset: number): void => {
  const fd = openSync(join(ns.dataDir, 'packages', LAB_PACKAGE_GUID, 'AeXLabPayload.bin'), 'r+');
  writeSync(fd, Buffer.from('tampered'), 0, 8, offset);
  closeSync(fd);
};

const packageBytes = (ns: TestNs): number => ns.ns.store.packages.get(LAB_PACKAGE_GUID)!.files.reduce((n, f) => n + f.size, 0);

t.test('agents deliver the lab package: the NS logs the downloads and stores the status events', async (t) => {
  // ps-dead is ranked first by the NS (first configured) but nothing listens on 127.0.0.9: the speed check leaves it out.
  const ns = await startNs({ packages: { labPackages: { count: 1, payloadSize: PAYLOAD },
    packageServers: [{ name: 'ps-dead', host: '127.0.0.9', subnets: ['127.0.0.0/8'] }, { name: 'ps-local', subnets: ['127.0.0.0/8'] }] } });
  t.teardown(() => ns.close());
  const fleet = await startFleet(base(ns.http, { install: true, ca: ns.cert.cert }));
  t.teardown(() => fleet.stop());
  const h = fleet.engine.holdings!;
  await waitUntil(() => h.upToDate() === 16, 'every agent holds the lab package', 20_000);
  await waitUntil(() => statusRows(ns).length === 32, 'started + complete events stored', 10_000);
  const s = fleet.stats;
  t.equal(s.count('get-package-info', 'ok'), 16);
  t.equal(s.count('get-package-snapshot', 'ok'), 16);
  t.equal(s.count('package-download', 'ok'), 48, 'three files each');
  t.equal(s.bytes('package-download'), 16 * packageBytes(ns), 'download bytes = package size x agents');
  t.equal(s.count('speed-check', 'refused'), 32, 'the dead package server was probed (HTTP and HTTPS port) and refused');
  t.equal(s.count('speed-check', 'ok'), 32);

  const rows = statusRows(ns);
  t.equal(rows.filter((r) => r[2] === 'started').length, 16);
  const complete = rows.filter((r) => r[2] === 'complete');
  t.equal(complete.length, 16);
  t.ok(complete.every((r) => r[0] === `{${LAB_PACKAGE_GUID}}` && r[3] === 'ps-local' && Number(r[5]) === packageBytes(ns)), 'complete rows name ps-local and the bytes');

  const log = await waitUntil(() => {
    const recs = accessLog(ns).filter((r) => r['cs-uri-stem']!.startsWith(`/Altiris/PS/Share/${LAB_PACKAGE_GUID}/cache/`));
    return recs.length === 48 ? recs : null;
  }, '48 package file lines in the NS access log', 10_000);
  t.ok(log.every((r) => r['sc-status'] === '200'));
  const payload = log.filter((r) => r['cs-uri-stem']!.endsWith('/AeXLabPayload.bin'));
  t.equal(payload.length, 16);
  t.ok(payload.every((r) => Number(r['sc-bytes']) > PAYLOAD), 'the NS sent the whole payload to each agent');
  t.same(new Set(payload.map((r) => r['c-ip'])), new Set(Array.from({ length: 16 }, (_, i) => fleet.ids.ip(i))), 'from each agent\'s own address');
  const metrics = await (await fetch(`${ns.http}/metrics`)).text();
  t.match(metrics, /smp_ns_http_requests_total\{endpoint="\/Altiris\/PS\/Share\/\*",status="200"\} 48/);

  // --install: each flavour fetches its own bootstrap (Macs the Mac one).
  const all = accessLog(ns);
  for (let i = 0; i < 16; i++) {
    const id = fleet.ids.identity(i);
    const got = all.filter((r) => r['c-ip'] === id.ip && r['cs-uri-stem']!.startsWith('/Altiris/NS/NSCap/')).map((r) => r['cs-uri-stem']);
    t.same(got, [INSTALLERS[id.os.family]], `${id.name} (${id.os.family}) fetched its own installer`);
  }
  t.ok(Array.from({ length: 16 }, (_, i) => fleet.ids.identity(i).os.family).includes('mac'), 'the fleet has Macs');

  // A later check-in (tickled) finds the package held: no new delivery.
  const before = Array.from(fleet.engine.checkins);
  for (let k = 0; k < 16; k++) fleet.engine.onTickle(k, Command.REQUEST_CONFIGURATION, 'tcp');
  await waitUntil(() => before.every((c, k) => fleet.engine.checkins[k]! > c), 'every agent checked in again', 10_000);
  t.equal(s.count('get-package-info', 'ok'), 16, 'no second GetPackageInfo');
  t.equal(s.count('package-download', 'ok'), 48);
});

t.test('a tampered snapshot signature is refused: no download, a failed status event, retried later', async (t) => {
  const ns = await startNs();
  t.teardown(() => ns.close());
  const proxy = await startRewritingProxy(ns.http, {
    rewrite: (path, body) => (path.startsWith('/Altiris/NS/Agent/GetPackageSnapshot.aspx')
      ? Buffer.from(body.toString('utf8').replace(/signature="(.)/, (_m, c: string) => `signature="${c === 'A' ? 'B' : 'A'}`)) : undefined),
  });
  t.teardown(() => proxy.close());
  const fleet: RunningFleet = await startFleet(base(proxy.url, { count: 4, accelerate: 2000 }));
  t.teardown(() => fleet.stop());
  await waitUntil(() => fleet.stats.count('get-package-snapshot', 'bad-signature') >= 8, 'every agent refused the snapshot twice (retried)', 15_000);
  await fleet.stop();
  t.equal(fleet.stats.count('package-download', 'ok') + fleet.stats.count('package-download', 'bad-checksum'), 0, 'nothing downloaded');
  t.equal(fleet.engine.holdings!.upToDate(), 0);
  t.equal(accessLog(ns).filter((r) => /^\/Altiris\/(PS\/Share|PackageShare)\//.test(r['cs-uri-stem']!)).length, 0, 'the NS served no package file');
  const failed = statusRows(ns).filter((r) => r[2] === 'failed');
  t.ok(failed.length >= 8 && failed.every((r) => r[7]!.startsWith('bad-signature')), 'failed status events name the bad signature');
});

t.test('a codebase serving altered bytes is refused and the next codebase is used', async (t) => {
  const ns = await startNs();
  t.teardown(() => ns.close());
  const nsHttp = new URL(ns.http).port;
  const [closed] = await freePorts(1);
  let proxyBase = '';
  const proxy = await startRewritingProxy(ns.http, {
    // Every codebase through this proxy (one host:port, so the NS's order stands), HTTPS ones dropped;
    // a dead codebase and a liar first.
    rewrite: (path, body) => {
      if (!path.startsWith('/Altiris/NS/Agent/GetPackageInfo.aspx')) return undefined;
      const xml = body.toString('utf8').replace(/<Codebase url="https:[^>]*\/>/g, '').split(`127.0.0.1:${nsHttp}`).join(proxyBase);
      const extra = `<Codebase url="http://127.0.0.1:${closed}/dead/" type="HTTP" server="ps-dead"/>`
        + `<Codebase url="http://${proxyBase}/liar/${LAB_PACKAGE_GUID}/cache/" type="HTTP" server="ps-liar"/>`;
      return Buffer.from(xml.replace('<Source>', `<Source>${extra}`));
    },
    extra: async (req, res, forward) => {
      if (!req.url?.startsWith('/liar/')) return false;
      const r = await forward(`/Altiris/PS/Share/${req.url.slice('/liar/'.length)}`);
      const body = Buffer.from(r.body);
      if (body.length > 0) body[0] = body[0]! ^ 0xff;
      res.writeHead(r.status, { 'content-length': String(body.length) }).end(body);
      return true;
    },
  });
  proxyBase = `127.0.0.1:${proxy.port}`;
  t.teardown(() => proxy.close());
  const fleet = await startFleet(base(proxy.url, { count: 6 }));
  t.teardown(() => fleet.stop());
  await waitUntil(() => fleet.engine.holdings!.upToDate() === 6, 'every agent holds the package', 20_000);
  await waitUntil(() => statusRows(ns).filter((r) => r[2] === 'complete').length === 6, 'complete events stored', 10_000);
  const s = fleet.stats;
  t.equal(s.count('speed-check', 'refused'), 6, 'the dead codebase failed the speed check');
  t.equal(s.count('package-download', 'bad-checksum'), 6, 'the liar\'s first file was refused once per agent');
  t.equal(s.count('package-download', 'ok'), 18, 'then all three files came from the next codebase');
  t.ok(statusRows(ns).filter((r) => r[2] === 'complete').every((r) => r[3] === 'ps-local'), 'completed from ps-local');
  t.ok(statusRows(ns).filter((r) => r[2] === 'started').every((r) => r[3] === 'ps-liar'), 'started on the fastest-ranked liar');
});

t.test('a package file altered on the server fails on every codebase and is counted', async (t) => {
  const ns = await startNs();
  t.teardown(() => ns.close());
  tamperPayload(ns, 1000);
  const fleet = await startFleet(base(ns.http, { count: 3, ca: ns.cert.cert }));
  t.teardown(() => fleet.stop());
  // Codebases: ps-local and the NS, each over HTTP and HTTPS: four tries of the payload per agent.
  await waitUntil(() => fleet.stats.count('package-download', 'bad-checksum') >= 12, 'each agent refused the payload on all four codebases', 15_000);
  await waitUntil(() => statusRows(ns).filter((r) => r[2] === 'failed').length >= 3, 'failed events stored', 10_000);
  t.equal(fleet.engine.holdings!.upToDate(), 0);
  t.ok(statusRows(ns).filter((r) => r[2] === 'failed').every((r) => r[7]!.startsWith('bad-checksum')));
});

t.test('totalTime grows with the failed tries; past the NS download limit the agent gets the NS-site source only', async (t) => {
  const ns = await startNs({ packages: { labPackages: { count: 1, payloadSize: PAYLOAD }, downloadTryLimitMinutes: 3 } });
  t.teardown(() => ns.close());
  tamperPayload(ns, 10);
  // Retries after 3, 6, 12 ... simulated minutes: at 2000x the third try (totalTime 9) is 270 ms in.
  const fleet = await startFleet(base(ns.http, { count: 1, ca: ns.cert.cert, accelerate: 2000, jitter: 0 }));
  t.teardown(() => fleet.stop());
  const payload = (prefix: string) => accessLog(ns).filter((r) => r['cs-uri-stem']!.startsWith(prefix) && r['cs-uri-stem']!.endsWith('/AeXLabPayload.bin')).length;
  await waitUntil(() => payload('/Altiris/PackageShare/') >= payload('/Altiris/PS/Share/') + 4, 'later tries fetch from the NS site only', 15_000);
  await fleet.stop();
  const totals = accessLog(ns).filter((r) => r['cs-uri-stem'] === '/Altiris/NS/Agent/GetPackageInfo.aspx')
    .map((r) => Number(/totalTime%3D%22(\d+)%22/.exec(r['cs-uri-query']!)?.[1]));
  t.equal(totals[0], 0, 'the first try says 0 minutes');
  t.ok(totals.some((m) => m > 3), `a later try says more than the 3-minute limit (${totals.join(', ')})`);
  t.ok(totals.every((m, i) => i === 0 || m >= totals[i - 1]!), 'totalTime never goes down');
  // 6 h of speed cache at 2000x is 10.8 s: the retries reuse the first try's speed check.
  const distinct = new Set(accessLog(ns).map((r) => r['s-port'])).size;
  const checks = fleet.stats.count('speed-check', 'ok');
  t.ok(totals.length >= 3 && checks <= distinct, `${totals.length} tries, ${checks} speed checks for ${distinct} listening ports: checked once`);
});
