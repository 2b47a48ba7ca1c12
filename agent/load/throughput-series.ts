// Throughput over time with bounded memory: per endpoint, ok and failed requests per bucket. Buckets
// start at one second; when a run outlasts `capacity` buckets, neighbours are merged and the bucket
// doubles, so an hour-long or week-long run costs the same memory. Never keyed by agent.
import { ENDPOINTS, ENDPOINT_INDEX, type Endpoint } from './outcome.js';

export interface SeriesPoint {
  /** Seconds from the start of the run to the start of the bucket. */
  t: number;
  ok: number;
  errors: number;
}

/** The serialised series (report and shard file). */
export interface SeriesData {
  startMs: number;
  bucketMs: number;
  endpoints: Partial<Record<Endpoint, { ok: number[]; errors: number[] }>>;
}

export const DEFAULT_SERIES_CAPACITY = 1800;

export class ThroughputSeries {
  bucketMs = 1000;
  /** Buckets in use (one past the last bucket written). */
  length = 0;
  startMs: number;
  readonly capacity: number;
  /** Per endpoint: [ok0, err0, ok1, err1, ...]; allocated on first use. */
  private readonly rows: Array<Float64Array | undefined> = new Array<Float64Array | undefined>(ENDPOINTS.length);

  constructor(startMs: number, capacity = DEFAULT_SERIES_CAPACITY) {
    this.startMs = startMs;
    this.capacity = Math.max(2, capacity & ~1);
  }

  add(endpoint: Endpoint, ok: boolean, atMs: number, n = 1): void {
    let b = Math.floor((atMs - this.startMs) / this.bucketMs);
    if (b < 0) b = 0;
    while (b >= this.capacity) {
      this.coarsen();
      b = Math.floor((atMs - this.startMs) / this.bucketMs);
    }
    const i = ENDPOINT_INDEX[endpoint];
    let row = this.rows[i];
    if (row === undefined) this.rows[i] = row = new Float64Array(2 * this.capacity);
    row[2 * b + (ok ? 0 : 1)]! += n;
    if (b >= this.length) this.length = b + 1;
  }

  /** Makes buckets at least `ms` wide (merging neighbours), e.g. before merging a coarser series. */
  widenTo(ms: number): void {
    while (this.bucketMs < ms) this.coarsen();
  }

  private coarsen(): void {
    const half = this.capacity / 2;
    for (const row of this.rows) {
      if (!row) continue;
      for (let b = 0; b < half; b++) {
        row[2 * b] = row[4 * b]! + row[4 * b + 2]!;
        row[2 * b + 1] = row[4 * b + 1]! + row[4 * b + 3]!;
      }
      row.fill(0, this.capacity);
    }
    this.bucketMs *= 2;
    this.length = Math.ceil(this.length / 2);
  }

  /** Points of one endpoint, or of all endpoints summed. */
  points(endpoint?: Endpoint): SeriesPoint[] {
    const rows = endpoint === undefined ? this.rows : [this.rows[ENDPOINT_INDEX[endpoint]]];
    const out: SeriesPoint[] = [];
    for (let b = 0; b < this.length; b++) {
      let ok = 0;
      let errors = 0;
      for (const row of rows) {
        if (!row) continue;
        ok += row[2 * b]!;
        errors += row[2 * b + 1]!;
      }
      out.push({ t: (b * this.bucketMs) / 1000, ok, errors });
    }
    return out;
  }

  toJSON(): SeriesData {
    const endpoints: SeriesData['endpoints'] = {};
    ENDPOINTS.forEach((e, i) => {
      const row = this.rows[i];
      if (!row) return;
      const ok: number[] = [];
      const errors: number[] = [];
      for (let b = 0; b < this.length; b++) {
        ok.push(row[2 * b]!);
        errors.push(row[2 * b + 1]!);
      }
      endpoints[e] = { ok, errors };
    });
    return { startMs: this.startMs, bucketMs: this.bucketMs, endpoints };
  }

  /** Adds a serialised series, re-bucketed on absolute time (shards of one run may start apart). */
  merge(d: SeriesData): void {
    this.widenTo(d.bucketMs);
    for (const [name, v] of Object.entries(d.endpoints)) {
      const e = name as Endpoint;
      v.ok.forEach((n, b) => { if (n > 0) this.add(e, true, d.startMs + b * d.bucketMs, n); });
      v.errors.forEach((n, b) => { if (n > 0) this.add(e, false, d.startMs + b * d.bucketMs, n); });
    }
  }
}
