// Shard files: two shards merged equal one recorder fed with both inputs; `smp-lab report merge`
// writes JSON + a self-contained HTML report with its charts and judges thresholds (exit 3, reports
// still written); bad shard files are a typed error (exit 1), never a crash.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { LoadStats, buildReport, decodeShard, encodeShard, mergeShards, renderHtmlReport, ENDPOINTS, OUTCOMES, type Endpoint, type Outcome } from '../../../agent/load/index.js';
import { isSmpError } from '../../../shared/errors.js';
import { runSmpLab } from '../../helpers/cli.js';

type Sample = [Endpoint, Outcome, number, number];

function samples(seed: number, n: number): Sample[] {
  let x = seed;
  const rnd = (): number => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, () => {
    const lat = Math.floor(200 + rnd() * rnd() * 2_000_000);
    return [ENDPOINTS[Math.floor(rnd() * 4)]!, rnd() < 0.9 ? 'ok' : OUTCOMES[1 + Math.floor(rnd() * 8)]!, lat, Math.floor(lat * rnd())];
  });
}

function feed(stats: LoadStats, xs: Sample[], clock: { now: number }): void {
  for (const [e, o, l, s] of xs) { stats.record(e, o, l, s); stats.recordLag(l / 100); clock.now += 3; }
}

t.test('merging two shard files equals one recorder fed with both inputs', async (t) => {
  const a = samples(1, 4000);
  const b = samples(2, 3000);
  const ca = { now: 5_000 }; const cb = { now: 5_000 }; const cc = { now: 5_000 };
  const sa = new LoadStats({ clock: () => ca.now }); feed(sa, a, ca); sa.agents = 10; sa.inbound.received['tcp'] = 2;
  const sb = new LoadStats({ clock: () => cb.now }); feed(sb, b, cb); sb.agents = 7; sb.inbound.received['tcp'] = 1; sb.recordDropped(4);
  const one = new LoadStats({ clock: () => cc.now }); feed(one, a, cc); cc.now = 5_000; feed(one, b, cc); one.recordDropped(4);
  one.agents = 17; one.inbound.received['tcp'] = 3;
  sa.endedAt = ca.now; sb.endedAt = cb.now; one.endedAt = Math.max(ca.now, cb.now);
  const merged = mergeShards([{ name: 'a', text: JSON.stringify(encodeShard(sa)) }, { name: 'b', text: JSON.stringify(encodeShard(sb)) }]);
  const rm = buildReport(merged);
  const r1 = buildReport(one);
  t.same(rm.endpoints, r1.endpoints, 'per endpoint counts, percentiles and series are equal');
  t.same(rm.totals, r1.totals);
  t.same(rm.lagMs, r1.lagMs);
  t.same(rm.throughput, r1.throughput);
  t.equal(rm.agents, 17);
  t.same(rm.inbound.received, { tcp: 3 });
  t.equal(rm.durationS, r1.durationS);
});

t.test('decoding rejects what is not a shard file with a typed error', async (t) => {
  const good = JSON.stringify(encodeShard(new LoadStats()));
  const bads = ['', 'nope', '{}', '[]', 'null', JSON.stringify({ ...JSON.parse(good), version: 9 }),
    JSON.stringify({ ...JSON.parse(good), cells: [{ endpoint: 'x', outcome: 'ok', count: 1, intended: '', service: '' }] }),
    JSON.stringify({ ...JSON.parse(good), lag: 'AAAA' }),
    JSON.stringify({ ...JSON.parse(good), inbound: { received: { ['__proto__']: 1 }, acted: {}, dropped: {} } }),
    good.replace('"bucketMs":1000', '"bucketMs":-1')];
  for (let i = 0; i < 200; i++) {
    const buf = Buffer.from(good);
    for (let k = 0; k < 3; k++) buf[Math.floor(Math.random() * buf.length)] = Math.floor(Math.random() * 256);
    bads.push(buf.toString('latin1'));
  }
  let typed = 0;
  for (const text of bads) {
    try {
      decodeShard(text, 'x.json');
    } catch (err) {
      t.ok(isSmpError(err), `typed error for ${text.slice(0, 40)}: ${String(err)}`);
      typed += 1;
    }
  }
  t.ok(typed >= 10);
  t.ok(decodeShard(good).file);
});

t.test('the HTML report is self-contained and holds its charts', async (t) => {
  const stats = new LoadStats();
  stats.record('get-client-policies', 'ok', 1200);
  stats.record('post-event', 'http-5xx', 900);
  stats.record('post-event', 'ok', 900);
  const html = renderHtmlReport(buildReport(stats, { thresholds: { maxErrorRate: 0.1 } }));
  for (const id of ['chart-throughput', 'chart-latency', 'chart-errors']) t.match(html, new RegExp(`<svg id="${id}"[^>]*>[\\s\\S]*?</svg>`), id);
  t.notMatch(html, /<script/i);
  t.notMatch(html, /(src|href)\s*=\s*["']?\s*(https?:)?\/\//i, 'no external src/href');
  t.notMatch(html, /https?:\/\//i, 'no URL at all');
  t.notMatch(html, /<link|@import|url\(/i);
  t.match(html, /Thresholds failed: error rate 33\.33% &#62; 10\.00%/);
  t.match(html, /GetClientPolicies/);
});

t.test('smp-lab report merge: one report from shard files, thresholds judged on the merged data', async (t) => {
  const dir = t.testdir();
  const files: string[] = [];
  for (const [i, fail] of [[0, 0], [1, 30]] as const) {
    const s = new LoadStats();
    for (let k = 0; k < 100; k++) s.record('get-client-policies', k < fail ? 'http-5xx' : 'ok', 1000 * (1 + k));
    s.agents = 5;
    s.endedAt = s.now() + 1000;
    const f = join(dir, `shard-${i}.json`);
    writeFileSync(f, JSON.stringify(encodeShard(s)));
    files.push(f);
  }
  const pass = await runSmpLab(['report', 'merge', ...files, '--out', join(dir, 'ok'), '--max-error-rate', '0.2', '--max-p99', '1s']);
  t.equal(pass.code, 0, pass.stderr);
  t.match(pass.stdout, /merged 2 shard files: 200 requests/);
  t.match(pass.stdout, /thresholds passed/);
  const okReport = JSON.parse(readFileSync(join(dir, 'ok', 'report.json'), 'utf8'));
  t.equal(okReport.totals.requests, 200);
  t.equal(okReport.totals.errors, 30);
  t.equal(okReport.agents, 10);
  t.equal(okReport.thresholds.passed, true);

  const fail = await runSmpLab(['report', 'merge', ...files, '--out', join(dir, 'bad'), '--max-error-rate', '0.1', '--max-p99', '50ms']);
  t.equal(fail.code, 3, 'a failed threshold exits 3');
  t.match(fail.stdout, /THRESHOLD FAILED: error rate 15\.00% > 10\.00%; get-client-policies p99 \d+(\.\d+)? ms > 50 ms/);
  const badReport = JSON.parse(readFileSync(join(dir, 'bad', 'report.json'), 'utf8'));
  t.equal(badReport.thresholds.passed, false, 'the report is still written');
  t.match(readFileSync(join(dir, 'bad', 'report.html'), 'utf8'), /Thresholds failed/);

  writeFileSync(join(dir, 'junk.json'), '{"kind":"something else"}');
  const junk = await runSmpLab(['report', 'merge', join(dir, 'junk.json'), '--out', join(dir, 'j')]);
  t.equal(junk.code, 1, 'a tool error exits 1');
  t.match(junk.stderr, /junk\.json: not an smp-lab load shard file/);
  const missing = await runSmpLab(['report', 'merge', join(dir, 'nope.json')]);
  t.equal(missing.code, 1);
  const usage = await runSmpLab(['report']);
  t.equal(usage.code, 2);
});
