// Load statistics of one simulator process: an HDR latency histogram per endpoint, counts by endpoint
// and outcome, the generator's own lag behind schedule, and a per-second timeline. Serialises to a
// mergeable shard file (compressed HDR) so shards combine exactly. Labels never name an agent.
import hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { smpError } from '../../shared/errors.js';

export const ENDPOINTS = [
  'install', 'create-resource', 'get-client-policies', 'post-event', 'get-package-info',
  'get-package-snapshot', 'package-download', 'speed-check',
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export const OUTCOMES = ['ok', 'http-4xx', 'http-5xx', 'bad-xml', 'reset', 'timeout', 'refused', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const SHARD_FILE_KIND = 'smp-lab-load-shard';
export const SHARD_FILE_VERSION = 1;
const MAX_TIMELINE = 86_400;

export const newHistogram = (): Histogram =>
  hdr.build({ bitBucketSize: 32, autoResize: true, numberOfSignificantValueDigits: 3, useWebAssembly: false });

export interface TimelinePoint {
  /** Seconds since the run started. */
  t: number;
  ok: number;
  errors: number;
}

export interface InboundTotals {
  received: Record<string, number>;
  acted: Record<string, number>;
  dropped: Record<string, number>;
}

export class LoadStats {
  readonly latency = new Map<Endpoint, Histogram>();
  readonly counts = new Map<Endpoint, Record<Outcome, number>>();
  /** How late the generator sent each request relative to its intended time (µs). */
  readonly lag = newHistogram();
  readonly timeline: TimelinePoint[] = [];
  inbound: InboundTotals = { received: {}, acted: {}, dropped: {} };
  /** Called for every recorded request (metrics observers). */
  onRecord: ((endpoint: Endpoint, outcome: Outcome, latencyUs: number) => void) | null = null;
  startedAt: number;
  endedAt = 0;
  agents = 0;
  private readonly clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.clock = clock;
    this.startedAt = clock();
  }

  /** One finished request: latency in µs (from the intended send time in the open model). */
  record(endpoint: Endpoint, outcome: Outcome, latencyUs: number): void {
    let counts = this.counts.get(endpoint);
    if (counts === undefined) {
      counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
      this.counts.set(endpoint, counts);
    }
    counts[outcome] += 1;
    this.onRecord?.(endpoint, outcome, latencyUs);
    if (outcome === 'ok') {
      let h = this.latency.get(endpoint);
      if (h === undefined) this.latency.set(endpoint, (h = newHistogram()));
      h.recordValue(Math.max(1, Math.round(latencyUs)));
    }
    const sec = Math.floor((this.clock() - this.startedAt) / 1000);
    if (sec >= 0 && sec < MAX_TIMELINE) {
      while (this.timeline.length <= sec) this.timeline.push({ t: this.timeline.length, ok: 0, errors: 0 });
      const p = this.timeline[sec]!;
      if (outcome === 'ok') p.ok += 1;
      else p.errors += 1;
    }
  }

  recordLag(lagUs: number): void {
    this.lag.recordValue(Math.max(1, Math.round(lagUs)));
  }

  totals(): { requests: number; ok: number; errors: number } {
    let ok = 0;
    let all = 0;
    for (const c of this.counts.values()) for (const o of OUTCOMES) { all += c[o]; if (o === 'ok') ok += c[o]; }
    return { requests: all, ok, errors: all - ok };
  }

  toShardFile(): ShardFile {
    return {
      kind: SHARD_FILE_KIND, version: SHARD_FILE_VERSION, startedAt: this.startedAt, endedAt: this.endedAt || this.clock(),
      agents: this.agents,
      endpoints: Object.fromEntries([...this.counts].map(([e, counts]) => {
        const h = this.latency.get(e);
        return [e, { counts: { ...counts }, latency: h ? hdr.encodeIntoCompressedBase64(h) : null }];
      })),
      lag: hdr.encodeIntoCompressedBase64(this.lag), timeline: this.timeline, inbound: this.inbound,
    };
  }

  /** Adds a shard file into this (merged) statistics object. */
  merge(f: ShardFile): void {
    if (f.kind !== SHARD_FILE_KIND || f.version !== SHARD_FILE_VERSION) {
      throw smpError('UNSUPPORTED_VERSION', `not an smp-lab load shard file v${SHARD_FILE_VERSION} (kind ${String(f.kind)}, version ${String(f.version)})`);
    }
    this.startedAt = Math.min(this.startedAt, f.startedAt);
    this.endedAt = Math.max(this.endedAt, f.endedAt);
    this.agents += f.agents;
    for (const [name, e] of Object.entries(f.endpoints)) {
      const ep = name as Endpoint;
      if (!(ENDPOINTS as readonly string[]).includes(ep)) throw smpError('BAD_INPUT', `shard file names unknown endpoint ${name}`);
      const counts = this.counts.get(ep) ?? (Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>);
      for (const o of OUTCOMES) counts[o] += Number(e.counts[o] ?? 0);
      this.counts.set(ep, counts);
      if (e.latency) {
        const h = this.latency.get(ep) ?? newHistogram();
        h.add(hdr.decodeFromCompressedBase64(e.latency, 32, false));
        this.latency.set(ep, h);
      }
    }
    this.lag.add(hdr.decodeFromCompressedBase64(f.lag, 32, false));
    // Shard timelines are aligned on each shard's own start; shards of one run start together.
    f.timeline.forEach((p, i) => {
      while (this.timeline.length <= i) this.timeline.push({ t: this.timeline.length, ok: 0, errors: 0 });
      this.timeline[i]!.ok += p.ok;
      this.timeline[i]!.errors += p.errors;
    });
    for (const k of ['received', 'acted', 'dropped'] as const) {
      for (const [n, v] of Object.entries(f.inbound[k])) this.inbound[k][n] = (this.inbound[k][n] ?? 0) + v;
    }
  }
}

export interface ShardFile {
  kind: string;
  version: number;
  startedAt: number;
  endedAt: number;
  agents: number;
  endpoints: Record<string, { counts: Partial<Record<Outcome, number>>; latency: string | null }>;
  lag: string;
  timeline: TimelinePoint[];
  inbound: InboundTotals;
}
