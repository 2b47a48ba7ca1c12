// The recorder of one load run: per endpoint and outcome a count and two HDR latency histograms
// (from the intended send time, and from the actual send time), the generator's own lag behind
// schedule, throughput over time and tickles/wakes received. Keyed by endpoint and outcome only:
// memory never grows with the fleet. It only records and notifies listeners; it never prints.
import hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { ENDPOINTS, OUTCOMES, ENDPOINT_INDEX, OUTCOME_INDEX, type Endpoint, type Outcome } from './outcome.js';
import { ThroughputSeries, DEFAULT_SERIES_CAPACITY } from './throughput-series.js';

export { ENDPOINTS, OUTCOMES, type Endpoint, type Outcome } from './outcome.js';

let wasm = false;
/** HDR's WebAssembly histograms record 2-3x faster than its JavaScript ones (bench:load). */
export function useWasm(): boolean {
  if (!wasm) {
    hdr.initWebAssemblySync();
    wasm = true;
  }
  return true;
}

/**
 * A histogram of µs values, 3 significant digits (0.1 %), growing to any range. It lives in
 * WebAssembly memory: call destroy() on temporaries (LoadStats.dispose() frees a recorder's).
 */
export const newHistogram = (): Histogram =>
  hdr.build({ bitBucketSize: 32, autoResize: true, numberOfSignificantValueDigits: 3, useWebAssembly: useWasm() });

/** Decodes an HDR compressed base64 histogram into the same kind newHistogram() makes. */
export const decodeHistogram = (b64: string): Histogram => hdr.decodeFromCompressedBase64(b64, 32, useWasm());

export type LatencyKind = 'intended' | 'service';

export interface InboundTotals {
  received: Record<string, number>;
  acted: Record<string, number>;
  dropped: Record<string, number>;
}

/** Called for every recorded request; metrics and live printers listen here. */
export type RecordListener = (endpoint: Endpoint, outcome: Outcome, latencyUs: number, serviceUs: number) => void;

interface Cell {
  count: number;
  intended: Histogram;
  service: Histogram;
}

/** What happened since the previous `takeWindow()` (for live output). */
export interface LoadWindow {
  requests: number;
  errors: number;
  dropped: number;
  /** Largest generator lag in the window, µs (0 when none was recorded). */
  lagMaxUs: number;
  /** Wall-clock length of the window, ms. */
  ms: number;
}

export interface LoadStatsOptions {
  /** Wall clock in ms (Date.now); injectable for tests. */
  readonly clock?: () => number;
  /** Buckets kept by the throughput series before they are merged pairwise. */
  readonly seriesCapacity?: number;
}

export class LoadStats {
  startedAt: number;
  endedAt = 0;
  /** Agents this recorder measured (set by the fleet; summed on merge). */
  agents = 0;
  /** Open-model sends dropped because the bounded queue was full (counted as failures). */
  dropped = 0;
  readonly lag = newHistogram();
  /** Response body bytes received per endpoint (package downloads, snapshots, ...), ENDPOINTS order. */
  private readonly byteCounts = new Float64Array(ENDPOINTS.length);
  readonly series: ThroughputSeries;
  inbound: InboundTotals = { received: {}, acted: {}, dropped: {} };
  private readonly cells: Array<Cell | undefined> = new Array<Cell | undefined>(ENDPOINTS.length * OUTCOMES.length);
  private readonly listeners: RecordListener[] = [];
  private readonly clock: () => number;
  private win: LoadWindow;
  private winStart: number;

  constructor(opts: LoadStatsOptions = {}) {
    this.clock = opts.clock ?? Date.now;
    this.startedAt = this.clock();
    this.series = new ThroughputSeries(this.startedAt, opts.seriesCapacity ?? DEFAULT_SERIES_CAPACITY);
    this.winStart = this.startedAt;
    this.win = { requests: 0, errors: 0, dropped: 0, lagMaxUs: 0, ms: 0 };
  }

  /**
   * One finished request. `latencyUs` runs from the intended send time (open model: includes any
   * wait for a free agent or connection); `serviceUs` from the moment it was actually sent
   * (defaults to `latencyUs`, as in the closed model where both are the same).
   */
  record(endpoint: Endpoint, outcome: Outcome, latencyUs: number, serviceUs: number = latencyUs): void {
    const c = this.cell(endpoint, outcome);
    c.count += 1;
    c.intended.recordValue(latencyUs < 1 ? 1 : Math.round(latencyUs));
    c.service.recordValue(serviceUs < 1 ? 1 : Math.round(serviceUs));
    const ok = outcome === 'ok';
    this.series.add(endpoint, ok, this.clock());
    this.win.requests += 1;
    if (!ok) this.win.errors += 1;
    for (let i = 0; i < this.listeners.length; i++) this.listeners[i]!(endpoint, outcome, latencyUs, serviceUs);
  }

  /** Body bytes received by one request of `endpoint` (recorded beside `record`, whatever the outcome). */
  recordBytes(endpoint: Endpoint, bytes: number): void {
    if (bytes > 0) this.byteCounts[ENDPOINT_INDEX[endpoint]]! += bytes;
  }

  bytes(endpoint: Endpoint): number {
    return this.byteCounts[ENDPOINT_INDEX[endpoint]]!;
  }

  /** How late the generator itself got round to an intended send (event loop, timers), µs. */
  recordLag(lagUs: number): void {
    const v = lagUs < 1 ? 1 : Math.round(lagUs);
    this.lag.recordValue(v);
    if (v > this.win.lagMaxUs) this.win.lagMaxUs = v;
  }

  /** Open-model sends that never went out because the bounded queue was full. */
  recordDropped(n = 1): void {
    this.dropped += n;
    this.win.dropped += n;
  }

  subscribe(listener: RecordListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  count(endpoint: Endpoint, outcome: Outcome): number {
    return this.cells[ENDPOINT_INDEX[endpoint] * OUTCOMES.length + OUTCOME_INDEX[outcome]]?.count ?? 0;
  }

  histogram(endpoint: Endpoint, outcome: Outcome, kind: LatencyKind = 'intended'): Histogram | undefined {
    return this.cells[ENDPOINT_INDEX[endpoint] * OUTCOMES.length + OUTCOME_INDEX[outcome]]?.[kind];
  }

  /** Endpoints with at least one recorded request, in ENDPOINTS order. */
  endpoints(): Endpoint[] {
    return ENDPOINTS.filter((e) => OUTCOMES.some((o) => this.count(e, o) > 0));
  }

  totals(): { requests: number; ok: number; errors: number; dropped: number } {
    let requests = 0;
    let ok = 0;
    ENDPOINTS.forEach((e) => OUTCOMES.forEach((o) => {
      const n = this.count(e, o);
      requests += n;
      if (o === 'ok') ok += n;
    }));
    return { requests, ok, errors: requests - ok, dropped: this.dropped };
  }

  /** Returns the counters since the previous call and starts a new window. */
  takeWindow(): LoadWindow {
    const now = this.clock();
    const w = { ...this.win, ms: now - this.winStart };
    this.win = { requests: 0, errors: 0, dropped: 0, lagMaxUs: 0, ms: 0 };
    this.winStart = now;
    return w;
  }

  now(): number {
    return this.clock();
  }

  /** Adds encoded histograms and a count into one cell (used when merging shard files). */
  addCell(endpoint: Endpoint, outcome: Outcome, count: number, intended: Histogram | null, service: Histogram | null): void {
    const c = this.cell(endpoint, outcome);
    c.count += count;
    if (intended) c.intended.add(intended);
    if (service) c.service.add(service);
  }

  /** Frees the histograms' WebAssembly memory; the recorder must not be used afterwards. */
  dispose(): void {
    for (const c of this.cells) { c?.intended.destroy(); c?.service.destroy(); }
    this.cells.fill(undefined);
    this.lag.destroy();
  }

  private cell(endpoint: Endpoint, outcome: Outcome): Cell {
    const i = ENDPOINT_INDEX[endpoint] * OUTCOMES.length + OUTCOME_INDEX[outcome];
    let c = this.cells[i];
    if (c === undefined) this.cells[i] = c = { count: 0, intended: newHistogram(), service: newHistogram() };
    return c;
  }
}
