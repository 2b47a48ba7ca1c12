// Open model against a real local HTTP server that stalls: latency from the intended send time
// includes the queueing a stalled server causes (coordinated-omission free), while latency from the
// actual send shows only the server's time. Also the pacer's schedule, ramp and bounded queue.
import { createServer } from 'node:http';
import { request } from 'node:http';
import t from 'tap';
import { LoadStats, OpenModelPacer, buildReport, intendedOffsetMs, outcomeOfError, outcomeOfStatus, startOpenModel } from '../../../agent/load/index.js';
import { waitUntil } from '../../helpers/wait.js';

t.test('pacer: fixed spacing, linear ramp, bounded queue', async (t) => {
  const p = new OpenModelPacer({ rate: 100, startAt: 1000, maxQueue: 5 });
  t.equal(p.intendedAt(0), 1000);
  t.equal(p.intendedAt(10), 1100);
  t.equal(p.advance(1095), 10);
  const capped = new OpenModelPacer({ rate: 1000, startAt: 0, maxSends: 3 });
  t.equal(capped.advance(100), 3);
  t.equal(capped.nextDelay(100), Infinity);
  t.equal(p.queued, 5);
  t.equal(p.dropped, 5, 'sends beyond the bound are dropped and counted');
  t.equal(p.take(), 1000);
  t.equal(p.nextDelay(1095), 5);
  t.equal(intendedOffsetMs(0, 100, 1000), 0);
  t.ok(Math.abs(intendedOffsetMs(50, 100, 1000) - 1000) < 1e-9, 'half the full-rate sends fit in the ramp');
  t.ok(Math.abs(intendedOffsetMs(150, 100, 1000) - 2000) < 1e-9, 'full rate after the ramp');
  t.ok(intendedOffsetMs(10, 100, 1000) > 400, 'sends are sparse early in the ramp');
  t.throws(() => new OpenModelPacer({ rate: 0, startAt: 0 }));
});

t.test('intended-time latency includes the queueing behind a stalled server', async (t) => {
  // A slow server: 50 ms per request, so one agent serves 20/s while 100/s are intended.
  const server = createServer((req, res) => {
    req.resume();
    setTimeout(() => res.end('<Response/>'), 50);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const port = (server.address() as { port: number }).port;
  const stats = new LoadStats();
  const workers = 1;
  let busy = 0;
  let done = 0;
  const total = 30;
  let driver: ReturnType<typeof startOpenModel> | null = null;
  const send = (intendedAt: number): boolean => {
    if (busy >= workers) return false;
    busy += 1;
    const sentAt = performance.now();
    const finish = (outcome: ReturnType<typeof outcomeOfStatus>): void => {
      const now = performance.now();
      stats.record('get-client-policies', outcome, (now - intendedAt) * 1000, (now - sentAt) * 1000);
      busy -= 1;
      done += 1;
      if (done >= total) driver?.stop();
      else driver?.pump();
    };
    const req = request({ host: '127.0.0.1', port, path: '/Altiris/NS/Agent/GetClientPolicies.aspx', agent: false }, (res) => {
      res.resume();
      res.on('end', () => finish(outcomeOfStatus(res.statusCode ?? 0)));
    });
    req.on('error', (err) => finish(outcomeOfError(err)));
    req.end();
    return true;
  };
  driver = startOpenModel({ rate: 100, maxSends: total, stats, dispatch: send, maxQueue: 1000 });
  await waitUntil(() => done >= total && busy === 0, 'all sends answered', 15_000);
  const r = buildReport(stats);
  const e = r.endpoints[0]!;
  t.equal(e.ok, done);
  // 30 sends intended over 0.3 s, served one by one in >= 1.5 s: the last waited >= 1.2 s.
  t.ok(e.latencyMs!.max >= 1100, `intended max ${e.latencyMs!.max} ms includes the wait in the queue`);
  t.ok(e.latencyMs!.p50 >= 400, `intended p50 ${e.latencyMs!.p50} ms`);
  t.ok(e.serviceMs!.p50 * 2 < e.latencyMs!.p50, `service p50 ${e.serviceMs!.p50} ms shows only the server's own time`);
  t.ok(e.serviceMs!.p50 >= 49, 'the server took its 50 ms');
  t.ok(stats.lag.totalCount >= total, 'the generator recorded its own lateness for every send');
  // The queue wait (>= 1.1 s) must not show up as generator lag; a timer late by a few hundred ms on a
  // loaded 2-core box (the suite runs two files at once) is not the generator falling behind.
  t.ok(r.lagMs.p99 < 1000, `the generator itself kept its schedule (lag p99 ${r.lagMs.p99} ms)`);
  t.equal(r.totals.dropped, 0);
});
