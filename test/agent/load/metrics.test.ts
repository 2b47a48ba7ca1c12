// Prometheus endpoint of a load run scraped over real HTTP (node fetch and curl): requests by
// endpoint and outcome, latency histograms, agents by state, tickles and wakes by kind; bounded labels.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { LoadStats, createLoadMetrics, startMetricsServer } from '../../../agent/load/index.js';

const run = promisify(execFile);

t.test('metrics are scraped over HTTP with bounded label sets', async (t) => {
  const stats = new LoadStats();
  const inbound = { received: { tcp: 4, multicast: 1, magic: 0, relay: 0 }, acted: { tcp: 4, multicast: 30, magic: 0, relay: 0 }, dropped: { 'untrusted-server': 2 } };
  const m = createLoadMetrics({ stats, inbound: () => inbound });
  m.setAgentStates({ registered: 90, asleep: 10 });
  const srv = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: m.registry });
  t.teardown(() => srv.close());
  for (let agent = 0; agent < 1000; agent++) stats.record('get-client-policies', agent % 10 ? 'ok' : 'http-5xx', 2000 + agent);
  stats.record('create-resource', 'reset', 100);
  stats.recordLag(150_000);
  const res = await fetch(`http://127.0.0.1:${srv.port}/metrics`);
  t.equal(res.status, 200);
  const text = await res.text();
  t.match(text, /smp_agent_requests_total\{endpoint="get-client-policies",outcome="ok"\} 900/);
  t.match(text, /smp_agent_requests_total\{endpoint="get-client-policies",outcome="http-5xx"\} 100/);
  t.match(text, /smp_agent_requests_total\{endpoint="create-resource",outcome="reset"\} 1/);
  t.match(text, /smp_agent_request_duration_seconds_bucket\{le="0.0025",endpoint="get-client-policies",outcome="ok"\} \d+/);
  t.match(text, /smp_agent_agents\{state="registered"\} 90/);
  t.match(text, /smp_agent_inbound_total\{kind="tcp",result="received"\} 4/);
  t.match(text, /smp_agent_inbound_total\{kind="multicast",result="acted"\} 30/);
  t.match(text, /smp_agent_inbound_dropped_total\{reason="untrusted-server"\} 2/);
  t.match(text, /smp_agent_generator_lag_p99_seconds 0\.15/);
  const series = text.split('\n').filter((l) => l.startsWith('smp_agent_requests_total{'));
  t.equal(series.length, 3, 'one series per endpoint and outcome seen, none per agent');

  inbound.received.tcp = 6;
  const curl = await run('curl', ['-sS', '--fail', `http://127.0.0.1:${srv.port}/metrics`]);
  t.match(curl.stdout, /smp_agent_inbound_total\{kind="tcp",result="received"\} 6/, 'counters follow the source between scrapes');
  const other = await fetch(`http://127.0.0.1:${srv.port}/`);
  t.equal(other.status, 404);
  await other.text();
  const second = createLoadMetrics({ stats });
  t.not(second.registry, m.registry, 'a registry per instance');
  second.detach();
});

t.test('a taken metrics port is a BIND error', async (t) => {
  const m = createLoadMetrics({ stats: new LoadStats() });
  const a = await startMetricsServer({ port: 0, registry: m.registry });
  t.teardown(() => a.close());
  await t.rejects(startMetricsServer({ port: a.port, registry: m.registry }), { code: 'SMP_ERR_BIND' });
});
