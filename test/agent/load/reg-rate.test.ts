// The registration-rate cap (--reg-rate) against a real NS: a fleet whose agents are all due at once
// registers no faster than the cap (one slot every 1/rate s), yet every agent registers; without the
// cap the same fleet registers as fast as the NS answers.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type FleetRunOptions } from '../../../agent/load/runner.js';
import { TICKLE_MULTICAST_GROUP } from '../../../shared/catalog.js';
import { startTestNs } from '../../helpers/ns.js';
import { waitUntil } from '../../helpers/wait.js';

const stateDir = mkdtempSync(join(tmpdir(), 'smp-reg-rate-'));
t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));

const opts = (ns: string, over: Partial<FleetRunOptions>): FleetRunOptions => ({
  ns, seed: 'reg-rate', count: 60, ipBase: '127.1.0.1', shard: { index: 0, count: 1 }, trustedServer: 'NS-LAB',
  tickleHost: '0.0.0.0', ticklePort: 0, wakePort: 0, wakeGroup: TICKLE_MULTICAST_GROUP, interfaceAddress: '127.0.0.1', noListen: true,
  stateDir, keyPool: 2, accelerate: 1, jitter: 0, rampMs: 0, concurrency: 200, sourceAddress: true, install: false,
  delivery: false, asleep: 0, requestTimeoutMs: 10_000, intervalMs: 3_600_000, ...over,
});

t.test('60 agents due at once with --reg-rate 40 take about 1.5 s to register', async (t) => {
  const ns = await startTestNs({ store: 'memory' });
  t.teardown(() => ns.close());
  const f = await startFleet(opts(ns.http, { registrationRate: 40 }));
  const t0 = performance.now(); // the engine's first slot is now (start() ran inside startFleet)
  t.teardown(() => f.stop());
  const registered = (): number => f.stats.count('create-resource', 'ok');
  await waitUntil(() => registered() >= 30, 'half the fleet registered', 10_000);
  const half = (performance.now() - t0) / 1000;
  await waitUntil(() => registered() >= 60, 'the whole fleet registered', 10_000);
  const all = (performance.now() - t0) / 1000;
  t.ok(half >= 0.6, `30 registrations took ${half.toFixed(2)} s: no faster than 40/s`);
  t.ok(all >= 1.3, `60 registrations took ${all.toFixed(2)} s: no faster than 40/s`);
  t.equal(ns.ns.store.resources.count(), 60, 'every agent registered once');
  await f.stop();
});
