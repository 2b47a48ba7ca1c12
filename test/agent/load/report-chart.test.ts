// The throughput chart's time axis covers the whole run: a 30 s run whose requests all came in the
// first seconds still reads 0 s to 30 s, and each point sits at its own time.
import t from 'tap';
import { lineChart } from '../../../agent/load/svg-chart.js';

t.test('the x axis spans the run, not the last point', async (t) => {
  const svg = lineChart('c', 'throughput', [{ name: 'ok/s', color: '#2a7', values: [5, 3, 1] }], 1, 'requests per second', 30);
  t.match(svg, />30 s<\/text>/, 'axis ends at 30 s');
  t.notMatch(svg, />2 s<\/text>/);
  const xs = [...svg.matchAll(/[ML]([\d.]+),/g)].map((m) => Number(m[1]));
  t.equal(xs.length, 3);
  const plotWidth = 760 - 56 - 16;
  t.ok(Math.abs(xs[2]! - xs[0]! - (2 / 30) * plotWidth) < 0.5, `2 s of 30 take 1/15 of the plot: ${xs.join(', ')}`);
  t.match(lineChart('d', 'x', [{ name: 'a', color: '#000', values: [1, 2, 3] }], 1, 'u'), />2 s<\/text>/, 'without a span: the points');
});
