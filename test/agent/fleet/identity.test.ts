// Fleet identities are deterministic per seed, unique per index, reversible, and shards are disjoint
// and cover the fleet; the `smp-lab fleet` verb prints them in every format.
import t from 'tap';
import { FleetIdentities, parseMac } from '../../../agent/fleet/identity.js';
import { resolveShard, sliceOf } from '../../../agent/fleet/shard.js';
import { runSmpLab } from '../../helpers/cli.js';

t.test('deterministic and unique', async (t) => {
  const a = new FleetIdentities({ seed: 's1', ipBase: '127.1.0.1' });
  const b = new FleetIdentities({ seed: 's1', ipBase: '127.1.0.1' });
  const c = new FleetIdentities({ seed: 's2', ipBase: '127.1.0.1' });
  t.same(a.identity(42), b.identity(42));
  t.not(a.guid(42), c.guid(42));
  const guids = new Set<string>();
  const macs = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const id = a.identity(i);
    guids.add(id.guid);
    macs.add(id.mac);
    t.equal(a.indexOfGuid(id.guid), i);
    t.equal(a.indexOfMac(parseMac(id.mac)!), i);
    t.equal(a.indexOfIp(id.ip), i);
    if (!/^[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/.test(id.guid)) t.fail(`bad guid ${id.guid}`);
  }
  t.equal(guids.size, 5000);
  t.equal(macs.size, 5000);
  t.equal(a.ip(0), '127.1.0.1');
  t.equal(a.ip(255), '127.1.1.0');
  t.equal(c.indexOfGuid(a.guid(1)), -1, 'another seed does not claim the GUID');
  for (const bad of ['0.0.0.1', '224.0.255.135', '255.255.255.255', '127.0.0.0', '10.62.0', 'x']) {
    t.throws(() => new FleetIdentities({ seed: 'x', ipBase: bad }), { code: 'SMP_ERR_CONFIG' }, bad);
  }
  const routable = new FleetIdentities({ seed: 's1', ipBase: '10.62.0.1' });
  t.equal(routable.ip(65_535), '10.63.0.0');
  t.equal(routable.indexOfIp('10.62.1.0'), 255);
  t.equal(routable.guid(7), a.guid(7), 'the address does not change the identity');
  t.notOk(routable.loopback);
  t.ok(a.loopback);
  t.equal(new FleetIdentities({ seed: 'x', ipBase: '223.255.255.200' }).capacity, 55, 'stops below multicast');
});

t.test('shards are disjoint and cover the fleet', async (t) => {
  for (const n of [1, 3, 7]) {
    let covered = 0;
    let prevEnd = 0;
    for (let i = 0; i < n; i++) {
      const s = sliceOf(1000, { index: i, count: n });
      t.equal(s.start, prevEnd);
      prevEnd = s.end;
      covered += s.end - s.start;
    }
    t.equal(covered, 1000);
  }
  t.same(resolveShard('2/4'), { index: 2, count: 4 });
  t.same(resolveShard(undefined, { index: '1', count: '3' }), { index: 1, count: 3 });
  t.same(resolveShard(undefined, {}), { index: 0, count: 1 });
  t.throws(() => resolveShard('4/4'), { code: 'SMP_ERR_CONFIG' });
  t.throws(() => resolveShard(undefined, { index: '1' }), { code: 'SMP_ERR_CONFIG' });
});

t.test('smp-lab fleet prints the same fleet in every format and shard', async (t) => {
  const json = await runSmpLab(['fleet', '--seed', 'abc', '--count', '30', '--format', 'json']);
  t.equal(json.code, 0, json.stderr);
  const all = JSON.parse(json.stdout) as Array<{ guid: string; ip: string }>;
  t.equal(all.length, 30);
  const parts = await Promise.all([0, 1, 2].map((i) => runSmpLab(['fleet', '--seed', 'abc', '--count', '30', '--format', 'csv', '--shard', `${i}/3`])));
  const rows = parts.flatMap((p) => p.stdout.trim().split('\n').slice(1));
  t.equal(rows.length, 30);
  t.same(rows.map((r) => r.split(',')[1]), all.map((a) => a.guid));
  const job = await runSmpLab(['fleet', '--seed', 'abc', '--count', '30', '--format', 'csv'], { env: { JOB_COMPLETION_INDEX: '1', JOB_COMPLETION_COUNT: '3' } });
  t.equal(job.stdout, parts[1]!.stdout);
  const table = await runSmpLab(['fleet', '--seed', 'abc', '--count', '2']);
  t.match(table.stdout, /GUID.*\n0 +[0-9A-F-]{36} +\S+ +02-/);
  const bad = await runSmpLab(['fleet', '--shard', '3/3']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--shard/);
});
