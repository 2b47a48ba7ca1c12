// `smp-lab report merge --from DIR --expect N [--wait T]`: the last step of a sharded run on
// Kubernetes, where every shard writes to one shared volume. It waits for shards 0..N-1, merges
// them, and names the missing shards in one line when they do not come.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { LoadStats, encodeShard } from '../../../agent/load/index.js';
import { findShardFiles, shardReportName } from '../../../agent/load/shard-files.js';
import { runSmpLab, startSmpLab } from '../../helpers/cli.js';
import { waitForEvent } from '../../helpers/wait.js';

function writeShard(dir: string, index: number, count: number, requests: number): void {
  const s = new LoadStats();
  for (let k = 0; k < requests; k += 1) s.record('get-client-policies', 'ok', 1000 + k);
  s.agents = 3;
  s.endedAt = s.now() + 1000;
  writeFileSync(join(dir, `${shardReportName(index, count)}.shard.json`), JSON.stringify(encodeShard(s)));
}

t.test('shard files are found by index; other runs\' files and a missing directory are not an error', async (t) => {
  const dir = t.testdir();
  writeShard(dir, 1, 3, 1);
  writeShard(dir, 0, 2, 1);
  t.same(findShardFiles(dir, 3), { present: [join(dir, 'shard-1-of-3.shard.json')], missing: [0, 2] });
  t.same(findShardFiles(join(dir, 'absent'), 2), { present: [], missing: [0, 1] });
});

t.test('missing shards after --wait: one line naming them, non-zero exit', async (t) => {
  const dir = t.testdir();
  writeShard(dir, 0, 3, 5);
  const r = await runSmpLab(['report', 'merge', '--from', dir, '--expect', '3', '--wait', '1s', '--out', join(dir, 'merged')]);
  t.equal(r.code, 1);
  t.match(r.stderr, new RegExp(`^smp-lab report: 2 of 3 shard files are not in ${dir} \\(shards 1, 2\\); did those shards finish\\?`));
  t.equal(r.stderr.trim().split('\n').length, 1);
});

t.test('it waits for the last shard, then merges all of them', async (t) => {
  const dir = t.testdir();
  writeShard(dir, 0, 2, 40);
  const merge = startSmpLab(['report', 'merge', '--from', dir, '--expect', '2', '--wait', '60s', '--out', join(dir, 'merged')]);
  t.teardown(() => merge.stop());
  await merge.line(/waiting for 1 of 2 shard files/, 30_000);
  writeShard(dir, 1, 2, 60);
  // 'close' (not a line wait): the process exits right after its last line, and 'exit' may come first.
  const [code] = await waitForEvent<[number | null]>(merge.child, 'close', 30_000);
  t.equal(code, 0, merge.output().stderr);
  t.match(merge.output().stdout, /merged 2 shard files: 100 requests/);
});

t.test('--from and --expect go together, and not with file names', async (t) => {
  const dir = t.testdir();
  const alone = await runSmpLab(['report', 'merge', '--from', dir]);
  t.equal(alone.code, 2);
  t.match(alone.stderr, /--from\/--expect: "" is not allowed; expected both together/);
  const both = await runSmpLab(['report', 'merge', '--from', dir, '--expect', '1', join(dir, 'x.shard.json')]);
  t.equal(both.code, 2);
  t.match(both.stderr, /name shard files or give --from DIR --expect N, not both/);
});
