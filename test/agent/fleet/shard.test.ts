// Shard arithmetic of a fleet split over pods or processes: N shards cover every agent exactly once,
// for many (count, shards) pairs including fewer agents than shards; a shard out of range, from the
// flag or from a Kubernetes Indexed Job's variables, is one clear line and exit 2.
import t from 'tap';
import { resolveShard, sliceOf } from '../../../agent/fleet/shard.js';
import { isSmpError } from '../../../shared/errors.js';
import { runSmpLab } from '../../helpers/cli.js';

/** A deterministic stream of pairs: small and edge sizes exhaustively, then pseudo-random large ones. */
function* pairs(): Generator<[number, number]> {
  for (let count = 1; count <= 64; count += 1) for (let shards = 1; shards <= 70; shards += 1) yield [count, shards];
  let x = 20_261_204;
  const next = (m: number): number => { x = (x * 1_103_515_245 + 12_345) % 2 ** 31; return 1 + (x % m); };
  for (let i = 0; i < 300; i += 1) yield [next(1_000_000), next(i % 2 === 0 ? 200 : 5000)];
  yield [1_000_000, 40];
  yield [1_000_000, 1_000_000];
  yield [999_999, 1_000];
}

t.test('N shards cover every agent exactly once, contiguously, sizes within one', async (t) => {
  let checked = 0;
  for (const [count, shards] of pairs()) {
    let next = 0;
    let min = Infinity;
    let max = 0;
    for (let index = 0; index < shards; index += 1) {
      const s = sliceOf(count, { index, count: shards });
      // Contiguous and disjoint: each slice starts where the previous one ended.
      if (s.start !== next || s.end < s.start) {
        t.fail(`count ${count}, shards ${shards}: shard ${index} is ${s.start}..${s.end}, expected to start at ${next}`);
        return;
      }
      next = s.end;
      min = Math.min(min, s.end - s.start);
      max = Math.max(max, s.end - s.start);
    }
    if (next !== count || max - min > 1 || (count >= shards && min < 1)) {
      t.fail(`count ${count}, shards ${shards}: covered ${next}, sizes ${min}..${max}`);
      return;
    }
    checked += 1;
  }
  t.ok(checked > 4000, `${checked} (count, shards) pairs: every agent in exactly one shard`);
});

t.test('fewer agents than shards: the extra shards are empty, none overlaps', async (t) => {
  const slices = Array.from({ length: 7 }, (_v, index) => sliceOf(3, { index, count: 7 }));
  t.same(slices.map((s) => s.end - s.start).reduce((a, b) => a + b, 0), 3);
  t.same(new Set(slices.flatMap((s) => Array.from({ length: s.end - s.start }, (_v, k) => s.start + k))).size, 3);
});

/** The error `f` throws (undefined when it returns). */
function thrown(f: () => unknown): unknown {
  try { f(); } catch (err) { return err; }
  return undefined;
}

t.test('a shard out of range is a config error naming the value', async (t) => {
  for (const flag of ['4/4', '5/4', '-1/4', '0/0', '1', 'a/b', '1/2/3']) {
    const err = thrown(() => resolveShard(flag));
    t.ok(isSmpError(err, 'CONFIG') && /^--shard: /.test(err.message), `--shard ${flag}: ${String(err)}`);
  }
  for (const job of [{ index: '4', count: '4' }, { index: '0' }, { index: '-1', count: '4' }, { index: 'x', count: '4' }]) {
    const err = thrown(() => resolveShard(undefined, job));
    t.ok(isSmpError(err, 'CONFIG') && /^JOB_COMPLETION_INDEX\/JOB_COMPLETION_COUNT: /.test(err.message), JSON.stringify(job));
  }
  t.same(resolveShard(undefined, { index: '39', count: '40' }), { index: 39, count: 40 });
  t.same(resolveShard('3/40', { index: '1', count: '2' }), { index: 3, count: 40 }, 'the flag wins over the Job variables');
});

t.test('smp-lab agents with a shard out of range: one line, exit 2, nothing started', async (t) => {
  const flag = await runSmpLab(['agents', '--shard', '40/40', '--count', '100', '--no-listen', '--ns', 'http://127.0.0.1:9']);
  t.equal(flag.code, 2);
  t.equal(flag.stderr, 'smp-lab agents: --shard: "40/40" is not allowed; expected i/n with 0 <= i < n, e.g. 0/4\n');
  t.equal(flag.stdout, '');
  const job = await runSmpLab(['agents', '--count', '100', '--no-listen'],
    { env: { JOB_COMPLETION_INDEX: '7', JOB_COMPLETION_COUNT: '4' } });
  t.equal(job.code, 2);
  t.match(job.stderr, /^smp-lab agents: JOB_COMPLETION_INDEX\/JOB_COMPLETION_COUNT: "7\/4" is not allowed; expected both set/);
  t.equal(job.stderr.trim().split('\n').length, 1);
});
