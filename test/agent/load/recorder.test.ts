// The recorder against known inputs: counts by endpoint and outcome, percentiles within HDR
// precision (3 significant digits), intended vs service latency, bounded throughput series, lag.
import t from 'tap';
import { LoadStats, ENDPOINTS, OUTCOMES, buildReport, outcomeOfError, outcomeOfStatus, ThroughputSeries } from '../../../agent/load/index.js';

t.test('percentiles of a known uniform input are within HDR precision', async (t) => {
  let now = 1_000_000;
  const stats = new LoadStats({ clock: () => now });
  for (let v = 1; v <= 10_000; v++) {
    stats.record('get-client-policies', 'ok', v * 1000, v * 100); // 1..10000 ms intended, 0.1..1000 ms service
    now += 1; // 10 s in total
  }
  stats.record('get-client-policies', 'http-5xx', 5000);
  stats.record('post-event', 'timeout', 30_000_000);
  const r = buildReport(stats);
  const gcp = r.endpoints.find((e) => e.endpoint === 'get-client-policies')!;
  t.equal(gcp.page, 'GetClientPolicies');
  t.equal(gcp.requests, 10_001);
  t.equal(gcp.ok, 10_000);
  t.same(gcp.errors, { 'http-5xx': 1 });
  const near = (got: number, want: number, what: string): void => { t.ok(Math.abs(got - want) <= want * 0.001 + 0.001, `${what}: ${got} ~ ${want}`); };
  near(gcp.latencyMs!.p50, 5000, 'p50');
  near(gcp.latencyMs!.p90, 9000, 'p90');
  near(gcp.latencyMs!.p99, 9900, 'p99');
  near(gcp.latencyMs!.p999, 9990, 'p99.9');
  near(gcp.latencyMs!.max, 10_000, 'max');
  near(gcp.serviceMs!.p99, 990, 'service p99');
  t.same(r.totals.errorsByKind, { 'http-5xx': 1, timeout: 1 });
  t.equal(r.totals.requests, 10_002);
  t.equal(r.totals.errorRate, Math.round((2 / 10_002) * 1e6) / 1e6);
  const series = r.throughput.points.reduce((a, p) => a + p.ok + p.errors, 0);
  t.equal(series, 10_002, 'the throughput series counts every request');
  t.equal(r.throughput.bucketS, 1);
  t.equal(r.throughput.points.length, 11);
});

t.test('the throughput series stays bounded over a long run', async (t) => {
  let now = 0;
  const stats = new LoadStats({ clock: () => now, seriesCapacity: 100 });
  for (let s = 0; s < 7 * 24 * 3600; s += 7) { stats.record('post-event', s % 2 ? 'ok' : 'reset', 10); now += 7000; }
  const pts = stats.series.points();
  t.ok(pts.length <= 100, `${pts.length} buckets`);
  t.ok(stats.series.bucketMs >= (7 * 24 * 3600 * 1000) / 100, `bucket ${stats.series.bucketMs} ms`);
  t.equal(pts.reduce((a, p) => a + p.ok + p.errors, 0), stats.totals().requests);
  const s = new ThroughputSeries(0, 4);
  s.add('install', true, 0); s.add('install', true, 1500); s.add('install', false, 4200);
  t.same(s.points('install').map((p) => [p.t, p.ok, p.errors]), [[0, 2, 0], [2, 0, 0], [4, 0, 1]]);
});

t.test('memory is keyed by endpoint and outcome, not by agent', async (t) => {
  const stats = new LoadStats();
  for (let agent = 0; agent < 50_000; agent++) stats.record(ENDPOINTS[agent % ENDPOINTS.length]!, OUTCOMES[agent % OUTCOMES.length]!, 100 + agent);
  const cells = ENDPOINTS.flatMap((e) => OUTCOMES.map((o) => stats.histogram(e, o))).filter(Boolean).length;
  t.ok(cells <= ENDPOINTS.length * OUTCOMES.length);
  t.equal(stats.totals().requests, 50_000);
});

t.test('lag, dropped sends and the live window', async (t) => {
  const stats = new LoadStats();
  stats.recordLag(2_000);
  stats.recordLag(250_000);
  stats.recordDropped(3);
  stats.record('create-resource', 'ok', 1000);
  const w = stats.takeWindow();
  t.equal(w.lagMaxUs, 250_000);
  t.equal(w.dropped, 3);
  t.equal(w.requests, 1);
  t.equal(stats.takeWindow().requests, 0, 'a window starts empty');
  const r = buildReport(stats);
  t.equal(r.totals.dropped, 3);
  t.equal(r.totals.errorRate, 0.75, 'dropped sends count as failures');
  t.ok(r.lagMs.max >= 249 && r.lagMs.max <= 251);
  t.equal(r.generatorBehind, true);
});

t.test('outcome classification', async (t) => {
  t.equal(outcomeOfStatus(200), 'ok');
  t.equal(outcomeOfStatus(404), 'http-4xx');
  t.equal(outcomeOfStatus(503), 'http-5xx');
  const err = (code: string): Error => Object.assign(new Error(code), { code });
  t.equal(outcomeOfError(err('ECONNRESET')), 'reset');
  t.equal(outcomeOfError(err('ECONNREFUSED')), 'refused');
  t.equal(outcomeOfError(err('ETIMEDOUT')), 'timeout');
  t.equal(outcomeOfError(err('ERR_TLS_CERT_ALTNAME_INVALID')), 'tls');
  t.equal(outcomeOfError(err('UNABLE_TO_VERIFY_LEAF_SIGNATURE')), 'tls');
  t.equal(outcomeOfError(err('EWHATEVER')), 'other');
  t.equal(outcomeOfError(err('SELF_SIGNED_CERT_IN_CHAIN')), 'tls');
  t.equal(outcomeOfError(err('SMP_ERR_BAD_XML')), 'bad-xml');
  t.equal(outcomeOfError(new Error('socket hang up')), 'reset');
  t.equal(outcomeOfError(null), 'other');
  t.equal(outcomeOfError('weird'), 'other');
});
