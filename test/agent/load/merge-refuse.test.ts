// `report merge` refuses shards that are not of one run: the same shard twice, or a shard that ended
// before another began; `smp-lab report merge` says so in one line and exits non-zero.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoadStats, encodeShard, mergeShards } from '../../../agent/load/index.js';
import { runSmpLab } from '../../helpers/cli.js';

function shard(startMs: number, endMs: number, agents: number): string {
  let now = startMs;
  const s = new LoadStats({ clock: () => now });
  s.agents = agents;
  s.record('get-client-policies', 'ok', 1000, 900);
  now = endMs;
  s.endedAt = endMs;
  return JSON.stringify(encodeShard(s));
}

t.test('the same shard twice and unrelated runs are refused', async (t) => {
  const a = shard(1_000_000, 1_060_000, 5);
  const b = shard(1_001_000, 1_061_000, 6);
  const later = shard(2_000_000, 2_060_000, 7);
  t.doesNotThrow(() => mergeShards([{ name: 'a', text: a }, { name: 'b', text: b }]), 'two shards of one run');
  t.throws(() => mergeShards([{ name: 'a', text: a }, { name: 'a2', text: a }]), { code: 'SMP_ERR_CONFLICT', message: /a2 is the same shard as a/ });
  t.throws(() => mergeShards([{ name: 'a', text: a }, { name: 'later', text: later }]),
    { code: 'SMP_ERR_CONFLICT', message: /a ended .* before later began/ });
  const dir = t.testdir();
  writeFileSync(join(dir, 'a.json'), a);
  writeFileSync(join(dir, 'later.json'), later);
  const r = await runSmpLab(['report', 'merge', join(dir, 'a.json'), join(dir, 'a.json'), '--out', join(dir, 'out')]);
  t.not(r.code, 0);
  t.match(r.stderr, /is the same shard as/);
  t.equal(r.stderr.trim().split('\n').length, 1);
  const u = await runSmpLab(['report', 'merge', join(dir, 'a.json'), join(dir, 'later.json'), '--out', join(dir, 'out')]);
  t.not(u.code, 0);
  t.match(u.stderr, /before .* began/);
});
