// Per-request counting for /metrics without per-request work in prom-client: counts by endpoint
// and status and a latency histogram by endpoint, kept in plain arrays (a few nanoseconds a
// request) and rendered as Prometheus counter and histogram families when the registry is scraped.
// Label values are route patterns and status codes only; never an agent or a raw URL.
import type { Metric, Registry } from 'prom-client';

export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

class EndpointStats {
  readonly byStatus = new Map<number, number>();
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  readonly buckets = new Float64Array(LATENCY_BUCKETS.length + 1);
  sum = 0;
  count = 0;
}

/** Every endpoint summed: what the console's live feed turns into rates and percentiles. */
export interface RequestTotals {
  readonly count: number;
  readonly clientErrors: number;
  readonly serverErrors: number;
  /** Non-cumulative counts per LATENCY_BUCKETS slot; the last slot is +Inf. */
  readonly buckets: readonly number[];
}

interface Value {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export class RequestStats {
  private readonly endpoints = new Map<string, EndpointStats>();

  observe(endpoint: string, status: number, seconds: number): void {
    let s = this.endpoints.get(endpoint);
    if (s === undefined) this.endpoints.set(endpoint, (s = new EndpointStats()));
    s.byStatus.set(status, (s.byStatus.get(status) ?? 0) + 1);
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i += 1;
    s.buckets[i]! += 1;
    s.sum += seconds;
    s.count += 1;
  }

  /** Sums over endpoints (a few dozen at most); read once per feed interval, never per request. */
  totals(): RequestTotals {
    const buckets = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
    let count = 0;
    let clientErrors = 0;
    let serverErrors = 0;
    for (const s of this.endpoints.values()) {
      count += s.count;
      for (let i = 0; i < buckets.length; i += 1) buckets[i]! += s.buckets[i]!;
      for (const [status, n] of s.byStatus) {
        if (status >= 500) serverErrors += n;
        else if (status >= 400) clientErrors += n;
      }
    }
    return { count, clientErrors, serverErrors, buckets };
  }

  /** Registers the two families on `registry`. */
  register(registry: Registry, requestsName: string, latencyName: string): void {
    const counter = {
      name: requestsName,
      get: async () => ({
        name: requestsName, help: 'HTTP requests answered, by endpoint (route) and status', type: 'counter', aggregator: 'sum',
        values: [...this.endpoints].flatMap(([endpoint, s]) => [...s.byStatus].map(([status, value]): Value => ({ labels: { endpoint, status }, value }))),
      }),
    };
    const histogram = {
      name: latencyName,
      get: async () => ({
        name: latencyName, help: 'Time from request start to response end, by endpoint', type: 'histogram', aggregator: 'sum',
        values: [...this.endpoints].flatMap(([endpoint, s]) => this.histogramValues(latencyName, endpoint, s)),
      }),
    };
    registry.registerMetric(counter as unknown as Metric);
    registry.registerMetric(histogram as unknown as Metric);
  }

  private histogramValues(name: string, endpoint: string, s: EndpointStats): Value[] {
    const out: Value[] = [];
    let acc = 0;
    LATENCY_BUCKETS.forEach((le, i) => {
      acc += s.buckets[i]!;
      out.push({ labels: { le, endpoint }, value: acc, metricName: `${name}_bucket` });
    });
    out.push({ labels: { le: '+Inf', endpoint }, value: s.count, metricName: `${name}_bucket` });
    out.push({ labels: { endpoint }, value: s.sum, metricName: `${name}_sum` });
    out.push({ labels: { endpoint }, value: s.count, metricName: `${name}_count` });
    return out;
  }
}
