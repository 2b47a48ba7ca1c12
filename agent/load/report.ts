// The load report: a summary of LoadStats (per endpoint throughput, latency percentiles, errors by
// kind, generator lag, tickles received) and the threshold verdict. Written as JSON and as a
// self-contained HTML page; the same function judges a live run and `smp-lab report merge`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUTCOMES, type LoadStats, type TimelinePoint } from './stats.js';
import { renderHtmlReport } from './html-report.js';

export const REPORT_KIND = 'smp-lab-load-report';
export const REPORT_VERSION = 1;

export interface Thresholds {
  /** Fraction 0..1 of requests that may fail. */
  readonly maxErrorRate?: number;
  /** Largest p99 latency of any endpoint, ms. */
  readonly maxP99Ms?: number;
}

export interface LatencySummary { p50: number; p90: number; p99: number; p999: number; max: number; mean: number }

export interface EndpointSummary {
  endpoint: string;
  requests: number;
  ok: number;
  errors: Record<string, number>;
  rps: number;
  latencyMs: LatencySummary | null;
}

export interface LoadReport {
  kind: string;
  version: number;
  startedAt: string;
  endedAt: string;
  durationS: number;
  agents: number;
  totals: { requests: number; ok: number; errors: number; errorRate: number; rps: number };
  endpoints: EndpointSummary[];
  lagMs: LatencySummary;
  /** True when the generator, not the server, fell behind (p99 lag above 100 ms). */
  generatorBehind: boolean;
  inbound: LoadStats['inbound'];
  timeline: TimelinePoint[];
  thresholds: { maxErrorRate: number | null; maxP99Ms: number | null; passed: boolean; failures: string[] };
}

const ms = (us: number): number => Math.round(us) / 1000;

function summarize(h: { getValueAtPercentile(p: number): number; maxValue: number; mean: number; totalCount: number }): LatencySummary {
  if (h.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    p50: ms(h.getValueAtPercentile(50)), p90: ms(h.getValueAtPercentile(90)), p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)), max: ms(h.maxValue), mean: Math.round(h.mean) / 1000,
  };
}

export function buildReport(stats: LoadStats, thresholds: Thresholds = {}): LoadReport {
  const ended = stats.endedAt || Date.now();
  const durationS = Math.max(0.001, (ended - stats.startedAt) / 1000);
  const endpoints: EndpointSummary[] = [...stats.counts].map(([endpoint, counts]) => {
    const requests = OUTCOMES.reduce((a, o) => a + counts[o], 0);
    const errors = Object.fromEntries(OUTCOMES.filter((o) => o !== 'ok' && counts[o] > 0).map((o) => [o, counts[o]]));
    const h = stats.latency.get(endpoint);
    return { endpoint, requests, ok: counts.ok, errors, rps: Math.round((requests / durationS) * 10) / 10, latencyMs: h ? summarize(h) : null };
  });
  const t = stats.totals();
  const errorRate = t.requests === 0 ? 0 : t.errors / t.requests;
  const failures: string[] = [];
  if (thresholds.maxErrorRate !== undefined && errorRate > thresholds.maxErrorRate) {
    failures.push(`error rate ${(errorRate * 100).toFixed(2)}% > ${(thresholds.maxErrorRate * 100).toFixed(2)}%`);
  }
  if (thresholds.maxP99Ms !== undefined) {
    for (const e of endpoints) {
      if (e.latencyMs && e.latencyMs.p99 > thresholds.maxP99Ms) failures.push(`${e.endpoint} p99 ${e.latencyMs.p99} ms > ${thresholds.maxP99Ms} ms`);
    }
  }
  if (t.requests === 0 && (thresholds.maxErrorRate !== undefined || thresholds.maxP99Ms !== undefined)) failures.push('no requests were made');
  const lagMs = summarize(stats.lag);
  return {
    kind: REPORT_KIND, version: REPORT_VERSION, startedAt: new Date(stats.startedAt).toISOString(), endedAt: new Date(ended).toISOString(),
    durationS: Math.round(durationS * 1000) / 1000, agents: stats.agents,
    totals: { ...t, errorRate: Math.round(errorRate * 1e6) / 1e6, rps: Math.round((t.requests / durationS) * 10) / 10 },
    endpoints, lagMs, generatorBehind: lagMs.p99 > 100, inbound: stats.inbound, timeline: stats.timeline,
    thresholds: { maxErrorRate: thresholds.maxErrorRate ?? null, maxP99Ms: thresholds.maxP99Ms ?? null, passed: failures.length === 0, failures },
  };
}

export interface WrittenReport { json: string; html: string; shard: string | null }

/** Writes report.json, report.html and (optionally) the mergeable shard file into `dir`. */
export function writeReport(dir: string, report: LoadReport, stats: LoadStats | null, name = 'report'): WrittenReport {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${name}.json`);
  const html = join(dir, `${name}.html`);
  writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(html, renderHtmlReport(report));
  let shard: string | null = null;
  if (stats) {
    shard = join(dir, `${name}.hdr.json`);
    writeFileSync(shard, JSON.stringify(stats.toShardFile()) + '\n');
  }
  return { json, html, shard };
}

/** One line for a terminal or a log. */
export function summaryLine(r: LoadReport): string {
  const worst = r.endpoints.reduce((a, e) => Math.max(a, e.latencyMs?.p99 ?? 0), 0);
  return `${r.totals.requests} requests in ${r.durationS}s (${r.totals.rps}/s), ${r.totals.errors} errors (${(r.totals.errorRate * 100).toFixed(2)}%), worst p99 ${worst} ms, generator lag p99 ${r.lagMs.p99} ms${r.generatorBehind ? ' (GENERATOR BEHIND)' : ''}`;
}
