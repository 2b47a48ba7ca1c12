// The mergeable shard file (smp-lab format, version 1): each shard of a load run writes its counts
// as JSON and its histograms in HDR's compressed base64 encoding, so `smp-lab report merge` rebuilds
// exactly the statistics one recorder fed with every shard's requests would hold. Decoding bounds its
// input and answers a typed SmpError, never a crash; it never trusts a field it has not checked.
import hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { smpError } from '../../shared/errors.js';
import { ENDPOINTS, OUTCOMES, isEndpoint, isOutcome, type Endpoint, type Outcome } from './outcome.js';
import { LoadStats, decodeHistogram as decodeHistogramText, type InboundTotals } from './stats.js';
import type { SeriesData } from './throughput-series.js';

export const SHARD_FILE_KIND = 'smp-lab-load-shard';
export const SHARD_FILE_VERSION = 1;
/** Largest shard file accepted (bytes); a real one is a few hundred KiB. */
export const MAX_SHARD_FILE_BYTES = 64 * 1024 * 1024;
const MAX_SERIES_BUCKETS = 100_000;

export interface ShardCell {
  endpoint: Endpoint;
  outcome: Outcome;
  count: number;
  /** HDR compressed base64 of the latency from the intended send time, µs. */
  intended: string;
  /** HDR compressed base64 of the latency from the actual send time, µs. */
  service: string;
}

export interface ShardFile {
  kind: typeof SHARD_FILE_KIND;
  version: typeof SHARD_FILE_VERSION;
  startedAt: number;
  endedAt: number;
  agents: number;
  dropped: number;
  cells: ShardCell[];
  lag: string;
  series: SeriesData;
  inbound: InboundTotals;
  /** Body bytes received per endpoint (absent in files written before it was added). */
  bytes?: Partial<Record<Endpoint, number>>;
}

export function encodeShard(stats: LoadStats): ShardFile {
  const cells: ShardCell[] = [];
  for (const endpoint of ENDPOINTS) {
    for (const outcome of OUTCOMES) {
      const count = stats.count(endpoint, outcome);
      if (count === 0) continue;
      cells.push({ endpoint, outcome, count,
        intended: hdr.encodeIntoCompressedBase64(stats.histogram(endpoint, outcome, 'intended')!),
        service: hdr.encodeIntoCompressedBase64(stats.histogram(endpoint, outcome, 'service')!) });
    }
  }
  return {
    kind: SHARD_FILE_KIND, version: SHARD_FILE_VERSION, startedAt: stats.startedAt, endedAt: stats.endedAt || stats.now(),
    agents: stats.agents, dropped: stats.dropped, cells, lag: hdr.encodeIntoCompressedBase64(stats.lag),
    series: stats.series.toJSON(), inbound: stats.inbound,
    bytes: Object.fromEntries(ENDPOINTS.filter((e) => stats.bytes(e) > 0).map((e) => [e, stats.bytes(e)])),
  };
}

const bad = (what: string, name: string): never => { throw smpError('BAD_INPUT', `${name}: not an smp-lab load shard file (${what})`); };
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function decodeHistogram(b64: unknown, what: string, name: string): Histogram {
  if (typeof b64 !== 'string' || b64.length > MAX_SHARD_FILE_BYTES) bad(`${what} is not a string`, name);
  try {
    return decodeHistogramText(b64 as string);
  } catch {
    return bad(`${what} is not an HDR compressed histogram`, name);
  }
}

function checkCounts(rec: unknown, what: string, name: string): Record<string, number> {
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec) || Object.keys(rec).length > 64) bad(what, name);
  const out = Object.create(null) as Record<string, number>;
  for (const [k, v] of Object.entries(rec as object)) {
    if (!isCount(v) || !/^[A-Za-z0-9_.-]{1,64}$/.test(k) || k === '__proto__') bad(what, name);
    out[k] = v as number;
  }
  return out;
}

function checkSeries(s: unknown, name: string): SeriesData {
  const d = s as SeriesData | null;
  if (!d || !isTime(d.startMs) || !isCount(d.bucketMs) || d.bucketMs < 1 || typeof d.endpoints !== 'object' || d.endpoints === null) bad('series', name);
  for (const [e, v] of Object.entries(d!.endpoints)) {
    if (!isEndpoint(e) || !v || !Array.isArray(v.ok) || !Array.isArray(v.errors)
      || v.ok.length > MAX_SERIES_BUCKETS || v.errors.length > MAX_SERIES_BUCKETS
      || !v.ok.every(isCount) || !v.errors.every(isCount)) bad(`series of ${e}`, name);
  }
  return d!;
}

/** Parses and checks a shard file's text; `name` (its path) appears in error messages. */
export function decodeShard(text: string, name = 'shard file'): { file: ShardFile; lag: Histogram; cells: Array<{ cell: ShardCell; intended: Histogram; service: Histogram }> } {
  if (text.length > MAX_SHARD_FILE_BYTES) bad(`larger than ${MAX_SHARD_FILE_BYTES} bytes`, name);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    bad('not JSON', name);
  }
  const f = doc as ShardFile;
  if (!f || typeof f !== 'object' || f.kind !== SHARD_FILE_KIND) bad(`kind is not ${SHARD_FILE_KIND}`, name);
  if (f.version !== SHARD_FILE_VERSION) {
    throw smpError('UNSUPPORTED_VERSION', `${name}: shard file version ${String(f.version)}; this smp-lab reads version ${SHARD_FILE_VERSION}`);
  }
  if (!isTime(f.startedAt) || !isTime(f.endedAt) || !isCount(f.agents) || !isCount(f.dropped) || !Array.isArray(f.cells)) bad('header fields', name);
  if (f.cells.length > ENDPOINTS.length * OUTCOMES.length) bad('too many cells', name);
  const cells = f.cells.map((cell, i) => {
    if (!cell || !isEndpoint(cell.endpoint) || !isOutcome(cell.outcome) || !isCount(cell.count)) bad(`cell ${i}`, name);
    return { cell, intended: decodeHistogram(cell.intended, `cell ${i} intended`, name), service: decodeHistogram(cell.service, `cell ${i} service`, name) };
  });
  const inbound = f.inbound as InboundTotals | undefined;
  if (!inbound || typeof inbound !== 'object') bad('inbound', name);
  f.inbound = { received: checkCounts(inbound!.received, 'inbound.received', name),
    acted: checkCounts(inbound!.acted, 'inbound.acted', name), dropped: checkCounts(inbound!.dropped, 'inbound.dropped', name) };
  f.series = checkSeries(f.series, name);
  if (f.bytes !== undefined) {
    const b = checkCounts(f.bytes, 'bytes', name);
    if (!Object.keys(b).every(isEndpoint)) bad('bytes names an unknown endpoint', name);
    f.bytes = b as Partial<Record<Endpoint, number>>;
  }
  return { file: f, lag: decodeHistogram(f.lag, 'lag', name), cells };
}

/** One recorder holding the sum of the given shard files (texts with their names); `clock` for a live merge. */
/**
 * Shards of one run ran at the same time: the same file given twice (equal content) or a shard whose
 * run ended before another's began is refused, rather than merged into numbers that mean nothing.
 */
function checkOneRun(shards: ReadonlyArray<{ name: string; text: string }>, files: readonly ShardFile[]): void {
  const seen = new Map<string, string>();
  for (const s of shards) {
    const key = s.text.trim();
    const first = seen.get(key);
    if (first !== undefined) throw smpError('CONFLICT', `${s.name} is the same shard as ${first}: each shard is merged once`);
    seen.set(key, s.name);
  }
  const latestStart = files.reduce((i, f, j) => (f.startedAt > files[i]!.startedAt ? j : i), 0);
  const earliestEnd = files.reduce((i, f, j) => (f.endedAt < files[i]!.endedAt ? j : i), 0);
  if (files.length > 1 && files[latestStart]!.startedAt > files[earliestEnd]!.endedAt) {
    throw smpError('CONFLICT', `${shards[earliestEnd]!.name} ended (${new Date(files[earliestEnd]!.endedAt).toISOString()}) before ` +
      `${shards[latestStart]!.name} began (${new Date(files[latestStart]!.startedAt).toISOString()}): shards of one run overlap in time`);
  }
}

export function mergeShards(shards: ReadonlyArray<{ name: string; text: string }>, clock?: () => number): LoadStats {
  const decoded = shards.map((s) => decodeShard(s.text, s.name));
  checkOneRun(shards, decoded.map((d) => d.file));
  const start = decoded.length ? Math.min(...decoded.map((d) => d.file.startedAt)) : Date.now();
  // A finished merge is frozen at its start; a live one (`clock` given) keeps the wall clock for elapsed time.
  const stats = new LoadStats({ clock: clock ?? (() => start) });
  stats.startedAt = start;
  stats.series.startMs = start;
  for (const d of decoded) {
    stats.endedAt = Math.max(stats.endedAt, d.file.endedAt);
    stats.agents += d.file.agents;
    stats.dropped += d.file.dropped;
    for (const c of d.cells) {
      stats.addCell(c.cell.endpoint, c.cell.outcome, c.cell.count, c.intended, c.service);
      c.intended.destroy();
      c.service.destroy();
    }
    stats.lag.add(d.lag);
    d.lag.destroy();
    stats.series.merge(d.file.series);
    for (const [e, n] of Object.entries(d.file.bytes ?? {})) stats.recordBytes(e as Endpoint, n);
    for (const k of ['received', 'acted', 'dropped'] as const) {
      for (const [n, v] of Object.entries(d.file.inbound[k])) stats.inbound[k][n] = (stats.inbound[k][n] ?? 0) + v;
    }
  }
  return stats;
}
