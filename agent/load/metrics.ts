// Prometheus metrics of one load-generating process, on a registry of its own (never the global
// one): requests by endpoint and outcome, latency histograms, generator lag, agents by state (the
// fleet sets it), tickles and wakes received by kind. Every label set is a closed vocabulary.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PackageMulticastCounters } from '../lifecycle/package-multicast.js';
import { ENDPOINTS, type LoadStats } from './stats.js';

const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface LoadMetricsOptions {
  /** The recorder to follow (requests, latency, lag). */
  readonly stats: LoadStats;
  /** Agents by state, read at each scrape (bounded set of state names). */
  readonly states?: () => Readonly<Record<string, number>>;
  /** Tickles/wakes by kind (tcp, multicast, magic, relay) and result, read at each scrape. */
  readonly inbound?: () => { received: Readonly<Record<string, number>>; acted?: Readonly<Record<string, number>>; dropped?: Readonly<Record<string, number>> };
  /** Package multicast counters of the process (closed vocabularies), read at each scrape. */
  readonly packages?: PackageMulticastCounters;
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
  if (o.packages) packageMetrics(p, registry, o.packages);
  return { registry, setAgentStates(s) { pushed = { ...s }; }, detach };
}

/** Package multicast: packages and bytes by how they came, datagrams by kind, fallbacks by reason. */
function packageMetrics(p: string, registry: Registry, c: PackageMulticastCounters): void {
  const counter = (name: string, help: string, label: string, values: () => Readonly<Record<string, number>>) => new Counter({
    name: `${p}_${name}`, help, labelNames: [label], registers: [registry],
    collect() {
      this.reset();
      for (const [v, n] of Object.entries(values())) if (n) this.inc({ [label]: v }, n);
    } });
  counter('packages_delivered_total', 'Packages agents completed, by how the bytes came (multicast, mixed, http)', 'via', () => c.delivered);
  counter('package_bytes_total', 'Package bytes agents took, by how they came (multicast, http)', 'via', () => c.bytes);
  counter('package_multicast_sent_total', 'Package multicast datagrams sent by this process\'s masters, by kind', 'kind', () => c.sent);
  counter('package_multicast_received_total', 'Package multicast datagrams received, by kind', 'kind', () => c.received);
  counter('package_multicast_ignored_total', 'Package multicast datagrams ignored, by reason', 'reason', () => c.ignored);
  counter('package_multicast_fallbacks_total', 'Agents that went to HTTP(S) for (part of) a package, by reason', 'reason', () => c.fallbacks);
  new Counter({ name: `${p}_package_multicast_masters_total`, help: 'Multicast masters this process elected', registers: [registry],
    collect() { this.reset(); this.inc(c.masters); } });
}

/** Compatibility shape for the fleet runner: a registry following `stats`, `states()` and `inbound`. */
export function fleetMetrics(src: { stats: LoadStats; inbound: { received: Record<string, number>; acted: Record<string, number>; dropped: Record<string, number> };
  states: () => Record<string, number>; packages?: PackageMulticastCounters }): Registry {
  return createLoadMetrics({ stats: src.stats, states: src.states, inbound: () => src.inbound, ...(src.packages ? { packages: src.packages } : {}) }).registry;
}
