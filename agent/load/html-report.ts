// The HTML load report: one self-contained page (inline CSS and SVG; no scripts, no external assets,
// no URLs) with throughput over time, latency percentiles per endpoint, errors by kind and the
// generator's lag. Every value from the report is escaped.
import type { LoadReport } from './report.js';
import { barChart, esc, lineChart } from './svg-chart.js';

const LAT_COLORS = ['#8cc4e8', '#4a90c8', '#1d5e99', '#0b2e55'];
const fmtMs = (v: number | undefined): string => (v === undefined ? '-' : String(v));
const fmtBytes = (n: number): string => (n === 0 ? '-' : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

function throughputChart(r: LoadReport): string {
  const step = r.throughput.bucketS;
  return lineChart('chart-throughput', 'throughput over time', [
    { name: 'ok/s', color: '#2a7', values: r.throughput.points.map((p) => p.ok / step) },
    { name: 'errors/s', color: '#c33', values: r.throughput.points.map((p) => p.errors / step) },
  ], step, 'requests per second', r.durationS);
}

function latencyChart(r: LoadReport): string {
  return barChart('chart-latency', 'latency percentiles per endpoint', r.endpoints.filter((e) => e.latencyMs).map((e) => ({
    label: e.page,
    values: [{ name: 'p50', value: e.latencyMs!.p50 }, { name: 'p90', value: e.latencyMs!.p90 },
      { name: 'p99', value: e.latencyMs!.p99 }, { name: 'p99.9', value: e.latencyMs!.p999 }],
  })), 'ms', LAT_COLORS);
}

function errorsChart(r: LoadReport): string {
  const groups = Object.entries(r.totals.errorsByKind).map(([k, v]) => ({ label: k, values: [{ name: 'count', value: v ?? 0 }] }));
  if (r.totals.dropped) groups.push({ label: 'dropped (queue full)', values: [{ name: 'count', value: r.totals.dropped }] });
  return barChart('chart-errors', 'errors by kind', groups, '', ['#c33']);
}

function endpointRows(r: LoadReport): string {
  return r.endpoints.map((e) => `<tr><td>${esc(e.page)}</td><td>${e.requests}</td><td>${e.ok}</td><td>${esc(Object.entries(e.errors).map(([k, v]) => `${k} ${v}`).join(', ') || '-')}</td>`
    + `<td>${e.rps}</td><td>${fmtMs(e.latencyMs?.p50)}</td><td>${fmtMs(e.latencyMs?.p90)}</td><td>${fmtMs(e.latencyMs?.p99)}</td><td>${fmtMs(e.latencyMs?.p999)}</td>`
    + `<td>${fmtMs(e.latencyMs?.max)}</td><td>${fmtMs(e.serviceMs?.p99)}</td><td>${fmtBytes(e.bytes ?? 0)}</td><td>${e.bytesPerS ? `${fmtBytes(e.bytesPerS)}/s` : '-'}</td></tr>`).join('\n');
}

export function renderHtmlReport(r: LoadReport): string {
  const t = r.thresholds;
  const verdict = t.maxErrorRate === null && t.maxP99Ms === null ? '<p>No thresholds were set.</p>'
    : t.passed ? '<p class="pass">Thresholds passed.</p>' : `<p class="fail">Thresholds failed: ${esc(t.failures.join('; '))}</p>`;
  const inbound = Object.entries(r.inbound.received).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const dropped = Object.entries(r.inbound.dropped).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>smp-lab load report</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:960px;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.pass{color:#2a7}.fail,.warn{color:#c33;font-weight:bold}svg{display:block;margin:.5em 0}</style></head><body>
<h1>smp-lab load report</h1>
<p>${esc(r.startedAt)} to ${esc(r.endedAt)} (${r.durationS} s${r.aborted ? ', <b>stopped early</b>' : ''}), ${r.agents} agents:
${r.totals.requests} requests, ${r.totals.rps}/s, ${r.totals.errors} errors${r.totals.dropped ? `, ${r.totals.dropped} sends dropped` : ''} (${(r.totals.errorRate * 100).toFixed(2)} %).</p>
${verdict}
<p>Generator lag behind schedule: p50 ${r.lagMs.p50} ms, p99 ${r.lagMs.p99} ms, max ${r.lagMs.max} ms.${r.generatorBehind ? ' <span class="warn">The generator itself fell behind its schedule: its latency figures include its own delay; spread the load over more processes.</span>' : ''}</p>
<h2>Throughput over time</h2>${throughputChart(r)}
<h2>Latency percentiles per endpoint (ms, from the intended send time)</h2>${latencyChart(r)}
<table><tr><th>endpoint</th><th>requests</th><th>ok</th><th>errors</th><th>req/s</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>p99 from send</th><th>bytes</th><th>bytes/s</th></tr>
${endpointRows(r)}</table>
<h2>Errors by kind</h2>${errorsChart(r)}
<h2>Tickles and wakes received</h2><p>received: ${esc(inbound)}; dropped: ${esc(dropped)}</p>
<p><small>smp-lab load report v${r.version}. Latency from the intended send time includes any queueing in the generator (coordinated-omission free); "p99 from send" is measured from the moment the request was written.</small></p>
</body></html>
`;
}
