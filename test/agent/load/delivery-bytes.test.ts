// Download bytes per endpoint: recorded beside the latency, kept through a shard file and a merge,
// shown in the JSON and HTML report and on /metrics; an old shard file without them still merges,
// a shard file with bad byte counts is a typed error.
import t from 'tap';
import { LoadStats, buildReport, createLoadMetrics, encodeShard, mergeShards, renderHtmlReport } from '../../../agent/load/index.js';

const shard = (bytes: number, n: number): LoadStats => {
  const s = new LoadStats();
  for (let i = 0; i < n; i++) {
    s.record('package-download', 'ok', 40_000);
    s.recordBytes('package-download', bytes);
  }
  s.record('package-download', 'bad-checksum', 9_000);
  s.recordBytes('package-download', 100);
  s.record('get-package-snapshot', 'bad-signature', 900);
  s.endedAt = s.startedAt + 2000;
  return s;
};

t.test('bytes survive shard files and merges and reach the reports and metrics', async (t) => {
  const a = shard(1_000_000, 3);
  const b = shard(500_000, 2);
  const merged = mergeShards([{ name: 'a', text: JSON.stringify(encodeShard(a)) }, { name: 'b', text: JSON.stringify(encodeShard(b)) }]);
  t.equal(merged.bytes('package-download'), 4_000_200);
  t.equal(merged.count('package-download', 'bad-checksum'), 2);
  t.equal(merged.count('get-package-snapshot', 'bad-signature'), 2);
  const r = buildReport(merged);
  const dl = r.endpoints.find((e) => e.endpoint === 'package-download')!;
  t.equal(dl.bytes, 4_000_200);
  t.ok(dl.bytesPerS > 0);
  t.same(r.totals.errorsByKind, { 'bad-checksum': 2, 'bad-signature': 2 });
  t.match(renderHtmlReport(r), /3\.8 MiB/);
  const text = await createLoadMetrics({ stats: a }).registry.metrics();
  t.match(text, /smp_agent_received_bytes_total\{endpoint="package-download"\} 3000100/);

  const old = encodeShard(a) as unknown as Record<string, unknown>;
  delete old['bytes'];
  t.equal(mergeShards([{ name: 'old', text: JSON.stringify(old) }]).bytes('package-download'), 0, 'a file without bytes merges');
  for (const bytes of [{ 'package-download': -1 }, { nope: 5 }, [1], { 'package-download': 1.5 }]) {
    t.throws(() => mergeShards([{ name: 'bad', text: JSON.stringify({ ...encodeShard(a), bytes }) }]),
      { code: 'SMP_ERR_BAD_INPUT' }, JSON.stringify(bytes));
  }
  for (const s of [a, b, merged]) s.dispose();
});
