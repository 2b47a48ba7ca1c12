// A fleet of a few hundred simulated agents against a real Notification Server over HTTP and HTTPS:
// registration, basic inventory, policies, tickles by TCP and multicast, a wake by the stock
// `wakeonlan`, the same seed re-registering without duplicates, and a report whose numbers agree
// with the NS's own counts.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startFleet, type FleetRunOptions } from '../../../agent/load/runner.js';
import { buildReport } from '../../../agent/load/report.js';
import { TICKLE_MULTICAST_GROUP } from '../../../shared/catalog.js';
import { Command } from '../../../shared/protocol/tickle.js';
import { sendTickles } from '../../../server/ns/tickle/tcp-sender.js';
import { sendMagicPackets, sendMulticastTickle } from '../../../server/ns/tickle/udp-sender.js';
import { have, unlessHave } from '../../helpers/tools.js';
import { startTestNs } from '../../helpers/ns.js';
import { waitUntil } from '../../helpers/wait.js';

const stateDir = mkdtempSync(join(tmpdir(), 'smp-agents-'));
t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));

const base = (ns: string, over: Partial<FleetRunOptions> = {}): FleetRunOptions => ({
  ns, seed: 'fleet-test', count: 300, ipBase: '127.1.0.1', shard: { index: 0, count: 1 }, trustedServer: 'NS-LAB',
  tickleHost: '0.0.0.0', ticklePort: 0, wakePort: 0, wakeGroup: TICKLE_MULTICAST_GROUP, interfaceAddress: '127.0.0.1',
  stateDir, keyPool: 4, accelerate: 1, jitter: 0.1, rampMs: 500, concurrency: 200, sourceAddress: true, install: false,
  delivery: false, asleep: 0, requestTimeoutMs: 10_000, ...over,
});

t.test('HTTP fleet through the lifecycle, tickles and wake', async (t) => {
  const ns = await startTestNs({ store: 'memory' });
  t.teardown(() => ns.close());
  const fleet = await startFleet(base(ns.http, { asleep: 0.01 }));
  t.teardown(() => fleet.stop());
  const e = fleet.engine;
  await waitUntil(() => e.states()['checked-in'] === 297, 'awake agents registered and checked in', 20_000);
  t.equal(ns.ns.store.resources.count(), 297, 'NS holds one resource per awake agent');
  t.equal(e.states().asleep, 3);

  const before = Array.from(e.checkins);
  const tick = await sendTickles(Array.from({ length: 100 }, (_, i) => ({ ip: fleet.ids.ip(100 + i) })),
    { serverName: 'NS-LAB', commands: Command.REQUEST_CONFIGURATION, port: fleet.ticklePort! });
  t.equal(tick.outcomes.delivered, 100);
  await waitUntil(() => before.every((c, k) => k < 100 || k >= 200 || e.checkins[k]! > c), 'tickled agents checked in', 10_000);
  t.ok(before.every((c, k) => (k >= 100 && k < 200) || e.checkins[k] === c), 'untickled agents did not check in');

  await sendMulticastTickle({ ips: [], guids: [fleet.ids.guid(250)], macs: [] },
    { address: TICKLE_MULTICAST_GROUP, port: fleet.wakePort!, serverName: 'NS-LAB', commands: Command.REQUEST_CONFIGURATION });
  await waitUntil(() => e.checkins[250]! > before[250]!, 'multicast-tickled agent checked in');

  const mac = fleet.ids.mac(1).replace(/-/g, ':');
  await t.test('the stock wakeonlan tool wakes agent 1', { skip: unlessHave('wakeonlan') }, async (t) => {
    const { stdout } = await promisify(execFile)('wakeonlan', ['-i', '127.0.0.1', '-p', String(fleet.wakePort), mac]);
    t.match(stdout, /magic packet/);
  });
  // Without the tool, smp-lab's own sender wakes it, so the rest of the run is still checked.
  if (!have('wakeonlan')) await sendMagicPackets([mac], { address: '127.0.0.1', port: fleet.wakePort! });
  await waitUntil(() => e.checkins[1]! > 0, 'agent 1 woke, registered and checked in', 10_000);
  t.equal(ns.ns.store.resources.count(), 298);

  const stats = await fleet.stop();
  const report = buildReport(stats, { thresholds: { maxErrorRate: 0 } });
  t.ok(report.thresholds.passed, report.thresholds.failures.join('; '));
  const reg = report.endpoints.find((x) => x.endpoint === 'create-resource')!;
  t.equal(reg.ok, 298);
  const inv = report.endpoints.find((x) => x.endpoint === 'post-event')!;
  t.equal(inv.ok, 298);
  t.equal(stats.inbound.acted['tcp'], 100);
  t.equal(stats.inbound.acted['magic'], 1);
});

t.test('HTTPS fleet; the same seed re-registers without duplicates', async (t) => {
  const ns = await startTestNs({ store: 'memory' });
  t.teardown(() => ns.close());
  for (const round of [1, 2]) {
    const fleet = await startFleet(base(ns.https, { ca: ns.cert.cert, count: 120 }));
    await waitUntil(() => fleet.engine.states()['checked-in'] === 120, `round ${round}: all checked in over HTTPS`, 20_000);
    const stats = await fleet.stop();
    t.equal(ns.ns.store.resources.count(), 120, `round ${round}: 120 resources, no duplicates`);
    t.equal(stats.totals().errors, 0);
  }
});
