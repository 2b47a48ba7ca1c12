// Inline SVG charts for the HTML report: a line chart over time and a horizontal grouped bar chart.
// Pure string building with every text escaped; no scripts, no external fonts or images, so the
// page renders anywhere from one file.

export const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const W = 760;
const PAD_L = 56;
const PAD_R = 16;
const fmt = (v: number): string => (v >= 100 ? String(Math.round(v)) : String(Math.round(v * 100) / 100));

export interface LineSeries { name: string; color: string; values: number[] }

/** Lines over x = 0..n-1 (one x step = `stepS` seconds). */
/** `spanS`: the time the x axis covers (the whole run), even where the last points are missing (no requests). */
export function lineChart(id: string, title: string, series: LineSeries[], stepS: number, unit: string, spanS = 0): string {
  const n = Math.max(0, ...series.map((s) => s.values.length));
  if (n === 0) return `<svg id="${esc(id)}" viewBox="0 0 ${W} 40" width="${W}" height="40" role="img" aria-label="${esc(title)}"><text x="8" y="24" font-size="12">no data</text></svg>`;
  const H = 240;
  const top = 24;
  const bottom = H - 28;
  const maxY = Math.max(1e-9, ...series.flatMap((s) => s.values));
  const span = Math.max((n - 1) * stepS, spanS);
  const sx = (i: number): number => PAD_L + (span === 0 ? 0 : ((i * stepS) / span) * (W - PAD_L - PAD_R));
  const sy = (v: number): number => bottom - (v / maxY) * (bottom - top);
  let out = `<svg id="${esc(id)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">`;
  out += `<line x1="${PAD_L}" y1="${bottom}" x2="${W - PAD_R}" y2="${bottom}" stroke="#888"/><line x1="${PAD_L}" y1="${top}" x2="${PAD_L}" y2="${bottom}" stroke="#888"/>`;
  for (const f of [0, 0.5, 1]) {
    out += `<text x="${PAD_L - 4}" y="${sy(maxY * f) + 4}" text-anchor="end" font-size="10">${fmt(maxY * f)}</text>`;
  }
  out += `<text x="${PAD_L}" y="${H - 8}" font-size="10">0 s</text><text x="${W - PAD_R}" y="${H - 8}" text-anchor="end" font-size="10">${fmt(span)} s</text>`;
  out += `<text x="${PAD_L}" y="14" font-size="11">${esc(unit)}</text>`;
  let legendX = W - PAD_R;
  for (const s of [...series].reverse()) {
    out += `<text x="${legendX}" y="14" text-anchor="end" font-size="11" fill="${esc(s.color)}">${esc(s.name)}</text>`;
    legendX -= 10 + 7 * s.name.length;
    if (s.values.length === 0) continue;
    const d = s.values.map((v, i) => `${i === 0 ? 'M' : 'L'}${sx(i).toFixed(1)},${sy(v).toFixed(1)}`).join(' ');
    out += `<path d="${d}" fill="none" stroke="${esc(s.color)}" stroke-width="1.5"><title>${esc(s.name)}</title></path>`;
  }
  return `${out}</svg>`;
}

export interface BarGroup { label: string; values: Array<{ name: string; value: number }> }

/** Horizontal bars, one group per label, one bar per value (colors cycle). */
export function barChart(id: string, title: string, groups: BarGroup[], unit: string, colors: readonly string[]): string {
  if (groups.length === 0) return `<svg id="${esc(id)}" viewBox="0 0 ${W} 40" width="${W}" height="40" role="img" aria-label="${esc(title)}"><text x="8" y="24" font-size="12">none</text></svg>`;
  const labelW = 170;
  const per = Math.max(1, ...groups.map((g) => g.values.length));
  const rowH = 15 * per + 10;
  const H = groups.length * rowH + 10;
  const max = Math.max(1e-9, ...groups.flatMap((g) => g.values.map((v) => v.value)));
  const span = W - labelW - 130;
  let out = `<svg id="${esc(id)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">`;
  groups.forEach((g, gi) => {
    const y0 = 6 + gi * rowH;
    out += `<text x="${labelW - 6}" y="${y0 + 11}" text-anchor="end" font-size="11">${esc(g.label)}</text>`;
    g.values.forEach((v, si) => {
      const w = Math.max(0.5, (v.value / max) * span);
      const y = y0 + si * 15;
      out += `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="12" fill="${esc(colors[si % colors.length]!)}"><title>${esc(`${g.label} ${v.name} ${v.value} ${unit}`)}</title></rect>`;
      out += `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 10}" font-size="10">${esc(`${v.name} ${fmt(v.value)} ${unit}`)}</text>`;
    });
  });
  return `${out}</svg>`;
}
