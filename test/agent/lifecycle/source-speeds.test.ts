// The agent's memory of its download sources: speed checks reused for the cache's lifetime (answered
// ones only), the penalty ladder per source after download errors, reset by a new speed check, and
// the ranking that penalised sources fall back in.
import t from 'tap';
import { PENALTY_FACTORS, SourceSpeeds, SPEED_CACHE_MS, sourceKey } from '../../../agent/lifecycle/source-speeds.js';
import { downloadTargets, keyOf, rankTargets, type ProbeResult } from '../../../agent/lifecycle/speed-check.js';

const [fast, slow] = downloadTargets([
  { url: 'http://127.0.0.1:8001/pkg/', type: 'HTTP', server: 'ps-fast' },
  { url: 'http://127.0.0.2:8002/pkg/', type: 'HTTP', server: 'ps-slow' },
] as Parameters<typeof downloadTargets>[0]);

t.test('an answered speed check is reused for the cache lifetime, per agent; an unanswered one is not kept', async (t) => {
  t.equal(SPEED_CACHE_MS, 6 * 3_600_000);
  const s = new SourceSpeeds(4, 1000);
  s.store(1, keyOf(fast!), { ms: 2.5, outcome: 'ok' }, 100);
  t.same(s.cached(1, keyOf(fast!), 1099), { ms: 2.5, outcome: 'ok' });
  t.equal(s.cached(1, keyOf(fast!), 1100), undefined, 'expired after the lifetime');
  t.equal(s.cached(2, keyOf(fast!), 500), undefined, 'another agent has its own checks');
  s.store(1, keyOf(slow!), { ms: null, outcome: 'refused' }, 100);
  t.equal(s.cached(1, keyOf(slow!), 200), undefined, 'a refused probe is asked again');
});

t.test('each download error lowers a source along the ladder, down to its floor; a new check resets it', async (t) => {
  t.same(PENALTY_FACTORS.slice(0, 5), [1, 0.95, 0.9, 0.75, 0.6], 'the notes\' 95, 90, 75, 60 %');
  const s = new SourceSpeeds(2, 1000);
  const src = sourceKey(fast!);
  const seen = [s.factor(0, src)];
  for (let i = 0; i < 10; i++) {
    s.penalize(0, src);
    seen.push(s.factor(0, src));
  }
  t.same(seen.slice(0, 8), [...PENALTY_FACTORS]);
  t.equal(seen[10], 0.15, 'never below the floor');
  t.equal(s.factor(1, src), 1, 'another agent is not penalised');
  s.resetPenalties(0);
  t.equal(s.factor(0, src), 1);
});

t.test('a penalised source ranks behind a slower one once its effective time is longer', async (t) => {
  const probes = new Map<string, ProbeResult>([[keyOf(fast!), { ms: 10, outcome: 'ok' }], [keyOf(slow!), { ms: 12, outcome: 'ok' }]]);
  const s = new SourceSpeeds(1, 1000);
  const order = () => rankTargets([fast!, slow!], probes, (x) => s.factor(0, sourceKey(x))).map((x) => x.codebase.server);
  t.same(order(), ['ps-fast', 'ps-slow']);
  s.penalize(0, sourceKey(fast!)); // 10 / 0.95 = 10.5 ms
  t.same(order(), ['ps-fast', 'ps-slow'], 'one error: still faster');
  s.penalize(0, sourceKey(fast!));
  s.penalize(0, sourceKey(fast!)); // 10 / 0.75 = 13.3 ms
  t.same(order(), ['ps-slow', 'ps-fast'], 'three errors: the slower source first');
});
