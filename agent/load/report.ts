// The load report (smp-lab format, version 1): totals, per endpoint counts, rate, errors by kind,
// latency percentiles (from the intended and from the actual send time), throughput over time,
// generator lag and the threshold verdict. Built from a recorder (live run) or a merge of shard
// files, written as JSON + self-contained HTML (+ the shard file). Never judges from partial data.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Histogram } from 'hdr-histogram-js';
import { ENDPOINT_PAGES, OUTCOMES, type Endpoint, type Outcome } from './outcome.js';
import { newHistogram, type InboundTotals, type LoadStats } from './stats.js';
import type { SeriesPoint } from './throughput-series.js';
import { encodeShard } from './shard-file.js';
import { makeDirSync } from '../../shared/make-dir.js';
import { judge, type Thresholds, type Verdict } from './thresholds.js';
import { renderHtmlReport } from './html-report.js';

export const REPORT_KIND = 'smp-lab-load-report';
export const REPORT_VERSION = 1;
/** The generator counts as behind when its own lag p99 exceeds this (ms). */
export const GENERATOR_BEHIND_MS = 100;

export interface LatencySummary { p50: number; p90: number; p99: number; p999: number; max: number; mean: number }

export interface EndpointSummary {
  endpoint: Endpoint;
  /** SMP page name. */
  page: string;
  requests: number;
  ok: number;
  errors: Partial<Record<Outcome, number>>;
  rps: number;
  /** Body bytes received (downloads, snapshots, answers) and their rate over the run. */
  bytes: number;
  bytesPerS: number;
  /** Ok responses, from the intended send time (what a user waited; includes queueing). */
  latencyMs: LatencySummary | null;
  /** Ok responses, from the actual send time (what the server took). */
  serviceMs: LatencySummary | null;
  /** Every outcome, from the intended send time. */
  allMs: LatencySummary;
  series: SeriesPoint[];
}

export interface LoadReport {
  kind: typeof REPORT_KIND;
  version: typeof REPORT_VERSION;
  startedAt: string;
  endedAt: string;
  durationS: number;
  agents: number;
  /** True when the run was stopped early (Ctrl-C / abort signal). */
  aborted: boolean;
  totals: { requests: number; ok: number; errors: number; dropped: number; errorRate: number; rps: number; errorsByKind: Partial<Record<Outcome, number>> };
  endpoints: EndpointSummary[];
  /** Throughput of all endpoints; `bucketS` seconds per point. */
  throughput: { bucketS: number; points: SeriesPoint[] };
  lagMs: LatencySummary;
  generatorBehind: boolean;
  inbound: InboundTotals;
  thresholds: Verdict;
}

export interface ReportOptions {
  readonly thresholds?: Thresholds;
  readonly aborted?: boolean;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Percentiles in ms; max is HDR's highest equivalent value, so a merged histogram reports the same. */
export function summarize(h: Histogram | undefined): LatencySummary {
  if (!h || h.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  const ms = (us: number): number => round3(us / 1000);
  return { p50: ms(h.getValueAtPercentile(50)), p90: ms(h.getValueAtPercentile(90)), p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)), max: ms(h.getValueAtPercentile(100)), mean: ms(h.mean) };
}

function endpointSummary(stats: LoadStats, e: Endpoint, durationS: number): EndpointSummary {
  const errors: Partial<Record<Outcome, number>> = {};
  const all = newHistogram();
  let requests = 0;
  for (const o of OUTCOMES) {
    const n = stats.count(e, o);
    if (n === 0) continue;
    requests += n;
    if (o !== 'ok') errors[o] = n;
    all.add(stats.histogram(e, o, 'intended')!);
  }
  const ok = stats.count(e, 'ok');
  const allMs = summarize(all);
  all.destroy();
  const bytes = stats.bytes(e);
  return { endpoint: e, page: ENDPOINT_PAGES[e], requests, ok, errors, rps: Math.round((requests / durationS) * 10) / 10,
    bytes, bytesPerS: Math.round(bytes / durationS),
    latencyMs: ok ? summarize(stats.histogram(e, 'ok', 'intended')) : null,
    serviceMs: ok ? summarize(stats.histogram(e, 'ok', 'service')) : null,
    allMs, series: stats.series.points(e) };
}

export function buildReport(stats: LoadStats, opts: ReportOptions = {}): LoadReport {
  const ended = stats.endedAt || stats.now();
  const durationS = Math.max(0.001, (ended - stats.startedAt) / 1000);
  const endpoints = stats.endpoints().map((e) => endpointSummary(stats, e, durationS));
  const t = stats.totals();
  const attempted = t.requests + t.dropped;
  const errorRate = attempted === 0 ? 0 : (t.errors + t.dropped) / attempted;
  const errorsByKind: Partial<Record<Outcome, number>> = {};
  for (const e of endpoints) for (const [k, v] of Object.entries(e.errors)) errorsByKind[k as Outcome] = (errorsByKind[k as Outcome] ?? 0) + v;
  const totals = { ...t, errorRate: Math.round(errorRate * 1e6) / 1e6, rps: Math.round((t.requests / durationS) * 10) / 10, errorsByKind };
  const lagMs = summarize(stats.lag);
  return {
    kind: REPORT_KIND, version: REPORT_VERSION, startedAt: new Date(stats.startedAt).toISOString(), endedAt: new Date(ended).toISOString(),
    durationS: round3(durationS), agents: stats.agents, aborted: opts.aborted ?? false, totals, endpoints,
    throughput: { bucketS: stats.series.bucketMs / 1000, points: stats.series.points() },
    lagMs, generatorBehind: lagMs.p99 > GENERATOR_BEHIND_MS, inbound: stats.inbound,
    thresholds: judge({ totals, endpoints }, opts.thresholds ?? {}),
  };
}

export interface WrittenReport { json: string; html: string; shard: string | null }

/** Writes `<name>.json`, `<name>.html` and, given the recorder, `<name>.shard.json` into `dir`. */
export function writeReport(dir: string, report: LoadReport, stats: LoadStats | null, name = 'report'): WrittenReport {
  makeDirSync(dir);
  const json = join(dir, `${name}.json`);
  const html = join(dir, `${name}.html`);
  atomicWrite(json, JSON.stringify(report, null, 2) + '\n');
  atomicWrite(html, renderHtmlReport(report));
  let shard: string | null = null;
  if (stats) {
    shard = join(dir, `${name}.shard.json`);
    atomicWrite(shard, JSON.stringify(encodeShard(stats)) + '\n');
  }
  return { json, html, shard };
}

function atomicWrite(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** One line for a terminal or a log. */
export function summaryLine(r: LoadReport): string {
  const worst = r.endpoints.reduce((a, e) => Math.max(a, e.latencyMs?.p99 ?? 0), 0);
  return `${r.totals.requests} requests in ${r.durationS}s (${r.totals.rps}/s), ${r.totals.errors} errors`
    + `${r.totals.dropped ? ` + ${r.totals.dropped} dropped` : ''} (${(r.totals.errorRate * 100).toFixed(2)}%), worst p99 ${worst} ms,`
    + ` generator lag p99 ${r.lagMs.p99} ms${r.generatorBehind ? ' (GENERATOR BEHIND)' : ''}`;
}
