// Prometheus metrics of one NS instance on its own Registry: requests by endpoint and status and a
// latency histogram by endpoint (request-stats.ts), registered agents, events stored, access-log drops. Label sets
// are bounded (route patterns, status codes); never an agent GUID or a raw URL.
import { collectDefaultMetrics, Counter, Gauge, type Registry } from 'prom-client';
import { RequestStats, type RequestTotals } from './request-stats.js';
import type { BodyBudget } from '../body-budget.js';
import type { NsStore } from '../store/index.js';

export interface NsMetrics {
  observe(endpoint: string, status: number, seconds: number): void;
  totals(): RequestTotals;
}

export function createNsMetrics(registry: Registry, store: NsStore, dropped: () => number, budget: BodyBudget): NsMetrics {
  collectDefaultMetrics({ register: registry, prefix: 'smp_ns_process_' });
  const stats = new RequestStats();
  stats.register(registry, 'smp_ns_http_requests_total', 'smp_ns_http_request_duration_seconds');
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
  new Gauge({
    name: 'smp_ns_request_body_bytes_in_flight', help: 'Bytes of request bodies held against --body-budget',
    registers: [registry],
    collect() {
      this.set(budget.inFlight);
    },
  });
  new Counter({
    name: 'smp_ns_request_body_budget_refusals_total', help: 'Requests refused with 503 because --body-budget was spent',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(budget.refusals);
    },
  });
  return stats;
}
