// The HTML load report: one self-contained page (inline CSS and SVG, no scripts or external assets)
// with throughput over time, latency percentiles per endpoint and errors by kind. Escapes all text.
import type { LoadReport } from './report.js';

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const W = 720;
const H = 220;
const PAD = 40;

function lineChart(points: Array<{ x: number; y: number; y2: number }>): string {
  if (points.length === 0) return '<p>No requests.</p>';
  const maxX = Math.max(1, points.length - 1);
  const maxY = Math.max(1, ...points.map((p) => Math.max(p.y, p.y2)));
  const sx = (x: number) => PAD + (x / maxX) * (W - 2 * PAD);
  const sy = (y: number) => H - PAD + 0 - (y / maxY) * (H - 2 * PAD);
  const path = (key: 'y' | 'y2') => points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p[key]).toFixed(1)}`).join(' ');
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="throughput over time">
<line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#888"/><line x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${H - PAD}" stroke="#888"/>
<text x="${PAD - 4}" y="${PAD}" text-anchor="end" font-size="10">${maxY}</text><text x="${PAD - 4}" y="${H - PAD}" text-anchor="end" font-size="10">0</text>
<text x="${W - PAD}" y="${H - PAD + 14}" text-anchor="end" font-size="10">${maxX} s</text>
<path d="${path('y')}" fill="none" stroke="#2a7" stroke-width="2"/><path d="${path('y2')}" fill="none" stroke="#c33" stroke-width="2"/>
<text x="${W - PAD}" y="${PAD - 8}" text-anchor="end" font-size="11"><tspan fill="#2a7">ok/s</tspan> <tspan fill="#c33">errors/s</tspan></text></svg>`;
}

function barChart(groups: Array<{ label: string; values: Array<[string, number]> }>, unit: string, colors: string[]): string {
  if (groups.length === 0) return '<p>None.</p>';
  const series = groups[0]!.values.length;
  const max = Math.max(1e-9, ...groups.flatMap((g) => g.values.map(([, v]) => v)));
  const rowH = 16 * series + 10;
  const height = groups.length * rowH + 30;
  let out = `<svg viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img">`;
  groups.forEach((g, gi) => {
    const y0 = 10 + gi * rowH;
    out += `<text x="170" y="${y0 + 12}" text-anchor="end" font-size="11">${esc(g.label)}</text>`;
    g.values.forEach(([name, v], si) => {
      const w = (v / max) * (W - 280);
      out += `<rect x="176" y="${y0 + si * 16}" width="${w.toFixed(1)}" height="13" fill="${colors[si % colors.length]}"><title>${esc(name)} ${v} ${unit}</title></rect>`;
      out += `<text x="${180 + w}" y="${y0 + si * 16 + 11}" font-size="10">${esc(name)} ${v} ${esc(unit)}</text>`;
    });
  });
  return `${out}</svg>`;
}

export function renderHtmlReport(r: LoadReport): string {
  const timeline = lineChart(r.timeline.map((p) => ({ x: p.t, y: p.ok, y2: p.errors })));
  const latency = barChart(r.endpoints.filter((e) => e.latencyMs).map((e) => ({
    label: e.endpoint, values: [['p50', e.latencyMs!.p50], ['p90', e.latencyMs!.p90], ['p99', e.latencyMs!.p99]] as Array<[string, number]>,
  })), 'ms', ['#49c', '#36a', '#124']);
  const errorKinds = new Map<string, number>();
  for (const e of r.endpoints) for (const [k, v] of Object.entries(e.errors)) errorKinds.set(k, (errorKinds.get(k) ?? 0) + v);
  const errors = barChart([...errorKinds].map(([k, v]) => ({ label: k, values: [['count', v]] as Array<[string, number]> })), '', ['#c33']);
  const rows = r.endpoints.map((e) => `<tr><td>${esc(e.endpoint)}</td><td>${e.requests}</td><td>${e.ok}</td><td>${esc(Object.entries(e.errors).map(([k, v]) => `${k} ${v}`).join(', ') || '-')}</td><td>${e.rps}</td><td>${e.latencyMs?.p50 ?? '-'}</td><td>${e.latencyMs?.p90 ?? '-'}</td><td>${e.latencyMs?.p99 ?? '-'}</td><td>${e.latencyMs?.max ?? '-'}</td></tr>`).join('\n');
  const verdict = r.thresholds.passed ? '<p class="pass">Thresholds passed.</p>' : `<p class="fail">Thresholds failed: ${esc(r.thresholds.failures.join('; '))}</p>`;
  const inbound = Object.entries(r.inbound.received).map(([k, v]) => `${esc(k)} ${v}`).join(', ') || 'none';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>smp-lab load report</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:900px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.pass{color:#2a7}.fail{color:#c33;font-weight:bold}</style></head><body>
<h1>smp-lab load report</h1>
<p>${esc(r.startedAt)} to ${esc(r.endedAt)} (${r.durationS} s), ${r.agents} agents: ${r.totals.requests} requests, ${r.totals.rps}/s, ${r.totals.errors} errors (${(r.totals.errorRate * 100).toFixed(2)} %). Generator lag p99 ${r.lagMs.p99} ms${r.generatorBehind ? ' &mdash; <b>the generator fell behind its schedule; latency figures include its own delay</b>' : ''}.</p>
${verdict}
<h2>Throughput over time</h2>${timeline}
<h2>Latency per endpoint (ms)</h2>${latency}
<table><tr><th>endpoint</th><th>requests</th><th>ok</th><th>errors</th><th>req/s</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr>
${rows}</table>
<h2>Errors by kind</h2>${errors}
<h2>Tickles and wakes received</h2><p>${inbound}; dropped: ${esc(Object.entries(r.inbound.dropped).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ') || 'none')}</p>
</body></html>
`;
}
