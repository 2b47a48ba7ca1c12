// Prometheus metrics of one load-generating process, on a registry of its own (never the global
// one): requests by endpoint and outcome, latency histograms, generator lag, agents by state (the
// fleet sets it), tickles and wakes received by kind. Every label set is a closed vocabulary.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ENDPOINTS, type LoadStats } from './stats.js';

const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface LoadMetricsOptions {
  /** The recorder to follow (requests, latency, lag). */
  readonly stats: LoadStats;
  /** Agents by state, read at each scrape (bounded set of state names). */
  readonly states?: () => Readonly<Record<string, number>>;
  /** Tickles/wakes by kind (tcp, multicast, magic, relay) and result, read at each scrape. */
  readonly inbound?: () => { received: Readonly<Record<string, number>>; acted?: Readonly<Record<string, number>>; dropped?: Readonly<Record<string, number>> };
  /** Metric name prefix (default smp_agent). */
  readonly prefix?: string;
}

export interface LoadMetrics {
  readonly registry: Registry;
  /** Sets the agents-by-state gauge (for fleets that push rather than expose `states`). */
  setAgentStates(states: Readonly<Record<string, number>>): void;
  /** Stops following the recorder. */
  detach(): void;
}

export function createLoadMetrics(o: LoadMetricsOptions): LoadMetrics {
  const p = o.prefix ?? 'smp_agent';
  const registry = new Registry();
  const requests = new Counter({ name: `${p}_requests_total`, help: 'Requests (check-ins, events, downloads) by endpoint and outcome',
    labelNames: ['endpoint', 'outcome'], registers: [registry] });
  const latency = new Histogram({ name: `${p}_request_duration_seconds`, help: 'Latency from the intended send time, by endpoint and outcome',
    labelNames: ['endpoint', 'outcome'], buckets: LATENCY_BUCKETS_S, registers: [registry] });
  const detach = o.stats.subscribe((endpoint, outcome, us) => {
    requests.inc({ endpoint, outcome });
    latency.observe({ endpoint, outcome }, us / 1e6);
  });
  const stats = o.stats;
  new Gauge({ name: `${p}_generator_lag_p99_seconds`, help: 'p99 of how late the generator itself sent requests (its own lag behind schedule)',
    registers: [registry], aggregator: 'max', collect() { this.set(stats.lag.totalCount ? stats.lag.getValueAtPercentile(99) / 1e6 : 0); } });
  new Gauge({ name: `${p}_dropped_sends_total`, help: 'Open-model sends dropped because the bounded queue was full',
    registers: [registry], collect() { this.set(stats.dropped); } });
  new Counter({ name: `${p}_received_bytes_total`, help: 'Response body bytes received (package downloads, snapshots, answers) by endpoint',
    labelNames: ['endpoint'], registers: [registry],
    collect() {
      this.reset();
      for (const endpoint of ENDPOINTS) if (stats.bytes(endpoint) > 0) this.inc({ endpoint }, stats.bytes(endpoint));
    } });
  let pushed: Readonly<Record<string, number>> = {};
  const states = o.states;
  new Gauge({ name: `${p}_agents`, help: 'Simulated agents by state', labelNames: ['state'], registers: [registry],
    collect() { for (const [state, n] of Object.entries(states ? states() : pushed)) this.set({ state }, n); } });
  const inbound = o.inbound;
  if (inbound) {
    new Counter({ name: `${p}_inbound_total`, help: 'Tickles and wakes by kind (tcp, multicast, magic, relay) and result (received, acted)',
      labelNames: ['kind', 'result'], registers: [registry],
      collect() {
        this.reset();
        const v = inbound();
        for (const [kind, n] of Object.entries(v.received)) if (n) this.inc({ kind, result: 'received' }, n);
        for (const [kind, n] of Object.entries(v.acted ?? {})) if (n) this.inc({ kind, result: 'acted' }, n);
      } });
    new Counter({ name: `${p}_inbound_dropped_total`, help: 'Tickles and wakes dropped, by reason', labelNames: ['reason'], registers: [registry],
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(inbound().dropped ?? {})) if (n) this.inc({ reason }, n);
      } });
  }
  return { registry, setAgentStates(s) { pushed = { ...s }; }, detach };
}

/** Compatibility shape for the fleet runner: a registry following `stats`, `states()` and `inbound`. */
export function fleetMetrics(src: { stats: LoadStats; inbound: { received: Record<string, number>; acted: Record<string, number>; dropped: Record<string, number> }; states: () => Record<string, number> }): Registry {
  return createLoadMetrics({ stats: src.stats, states: src.states, inbound: () => src.inbound }).registry;
}
