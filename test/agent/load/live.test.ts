// Live output: plain periodic lines off a TTY (with a warning when the generator falls behind its
// own schedule), a cli-progress bar on a TTY; it reads the recorder and never changes its totals.
import { PassThrough } from 'node:stream';
import t from 'tap';
import { LoadStats, liveLine, startLiveOutput } from '../../../agent/load/index.js';
import { waitUntil } from '../../helpers/wait.js';

function sink(isTTY: boolean): { stream: PassThrough & { isTTY: boolean; columns: number }; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 160 });
  let out = '';
  stream.setEncoding('utf8').on('data', (d: string) => (out += d));
  return { stream, text: () => out };
}

t.test('plain lines off a TTY, with a generator-behind warning', async (t) => {
  const stats = new LoadStats();
  const s = sink(false);
  const live = startLiveOutput({ stats, stream: s.stream, intervalMs: 20 });
  t.teardown(() => live.stop());
  for (let i = 0; i < 50; i++) stats.record('get-client-policies', i < 45 ? 'ok' : 'http-5xx', 3000);
  await waitUntil(() => /load \d+s 50 req .* ok 45 err 5 \[http-5xx 5\] p99 3 ms lag 0 ms\n/.test(s.text()), 'a plain summary line', 5000);
  t.notMatch(s.text(), /warning/);
  stats.recordLag(250_000);
  await waitUntil(() => /warning: the generator is up to 250 ms behind its own schedule \(not the server\)/.test(s.text()), 'the lag warning', 5000);
  t.match(s.text(), /GENERATOR BEHIND/);
  t.ok(live.warnings >= 1);
  t.equal(stats.totals().requests, 50, 'output never changes the totals');
});

t.test('a progress bar on a TTY', async (t) => {
  const stats = new LoadStats();
  const s = sink(true);
  const live = startLiveOutput({ stats, stream: s.stream, durationMs: 10_000, intervalMs: 20 });
  stats.record('post-event', 'ok', 1000);
  await waitUntil(() => s.text().includes('1 req'), 'the bar with the summary', 5000);
  live.stop();
  t.match(s.text(), /[█░]+ \d+% \| \d+s 1 req/);
});

t.test('liveLine names dropped sends and the lag', async (t) => {
  const stats = new LoadStats();
  stats.recordDropped(7);
  stats.recordLag(5000);
  const line = liveLine(stats, stats.takeWindow());
  t.match(line, /dropped 7/);
  t.match(line, /lag 5 ms$/);
});
