// Prometheus metrics of one NS instance on its own Registry: requests by endpoint and status, a
// latency histogram by endpoint, registered agents, events stored, access-log drops. Label sets
// are bounded (route patterns, status codes); never an agent GUID or a raw URL.
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { NsStore } from '../store/index.js';

export interface NsMetrics {
  observe(endpoint: string, status: number, seconds: number): void;
}

export function createNsMetrics(registry: Registry, store: NsStore, dropped: () => number): NsMetrics {
  collectDefaultMetrics({ register: registry, prefix: 'smp_ns_process_' });
  const requests = new Counter({
    name: 'smp_ns_http_requests_total', help: 'HTTP requests answered, by endpoint (route) and status',
    labelNames: ['endpoint', 'status'] as const, registers: [registry],
  });
  const latency = new Histogram({
    name: 'smp_ns_http_request_duration_seconds', help: 'Time from request start to response end, by endpoint',
    labelNames: ['endpoint'] as const, buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'smp_ns_registered_agents', help: 'Computers registered through CreateResource.aspx', registers: [registry],
    collect() {
      this.set(store.resources.count());
    },
  });
  new Gauge({
    name: 'smp_ns_events_stored', help: 'NSE events on disk (every state)', registers: [registry],
    collect() {
      this.set(store.events.count());
    },
  });
  new Gauge({
    name: 'smp_ns_access_log_dropped_lines', help: 'Access-log lines dropped because the disk fell behind', registers: [registry],
    collect() {
      this.set(dropped());
    },
  });
  // Children cached per label set: prom-client hashes labels on every labels() call otherwise.
  const counters = new Map<string, Counter.Internal>();
  const histograms = new Map<string, Histogram.Internal<'endpoint'>>();
  return {
    observe(endpoint, status, seconds) {
      const key = `${status} ${endpoint}`;
      let c = counters.get(key);
      if (c === undefined) counters.set(key, (c = requests.labels(endpoint, String(status))));
      c.inc();
      let h = histograms.get(endpoint);
      if (h === undefined) histograms.set(endpoint, (h = latency.labels(endpoint)));
      h.observe(seconds);
    },
  };
}
