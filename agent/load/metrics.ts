// Prometheus metrics of one simulator process, on a registry of its own: requests by endpoint and
// outcome, latency histograms by endpoint, generator lag, agents by state, tickles and wakes by kind.
// Label sets are bounded (endpoint, outcome, state, kind), never per agent.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { smpError } from '../../shared/errors.js';
import type { InboundCounters } from '../listen/inbound.js';
import type { LoadStats } from './stats.js';

export interface MetricSources {
  readonly stats: LoadStats;
  readonly inbound: InboundCounters;
  readonly states: () => Record<string, number>;
}

export function fleetMetrics(src: MetricSources): Registry {
  const registry = new Registry();
  const requests = new Counter({ name: 'smp_agent_requests_total', help: 'Requests made by the simulated agents', labelNames: ['endpoint', 'outcome'], registers: [registry] });
  const latency = new Histogram({ name: 'smp_agent_request_duration_seconds', help: 'Latency of successful requests', labelNames: ['endpoint'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] });
  src.stats.onRecord = (endpoint, outcome, us) => {
    requests.inc({ endpoint, outcome });
    if (outcome === 'ok') latency.observe({ endpoint }, us / 1e6);
  };
  new Gauge({ name: 'smp_agent_schedule_lag_p99_seconds', help: 'p99 of how late the generator sent requests', registers: [registry],
    collect() { this.set(src.stats.lag.totalCount ? src.stats.lag.getValueAtPercentile(99) / 1e6 : 0); } });
  new Gauge({ name: 'smp_agent_agents', help: 'Simulated agents by state', labelNames: ['state'], registers: [registry],
    collect() { for (const [state, n] of Object.entries(src.states())) this.set({ state }, n); } });
  new Gauge({ name: 'smp_agent_inbound_total', help: 'Tickles and wakes received (kind) and acted on or dropped (result)', labelNames: ['kind', 'result'], registers: [registry],
    collect() {
      for (const [kind, n] of Object.entries(src.inbound.received)) this.set({ kind, result: 'received' }, n);
      for (const [kind, n] of Object.entries(src.inbound.acted)) this.set({ kind, result: 'acted' }, n);
      for (const [reason, n] of Object.entries(src.inbound.dropped)) this.set({ kind: 'any', result: `dropped-${reason}` }, n);
    } });
  return registry;
}

/** Serves /metrics on host:port (0 = ephemeral); resolves with the bound server. */
export async function serveMetrics(registry: Registry, host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('see /metrics\n');
      return;
    }
    registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end('metrics failed\n'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(smpError('BIND', `metrics port ${port}: ${err.code ?? err.message}`, { port }, err)));
    server.listen(port, host, () => resolve());
  });
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : port };
}
