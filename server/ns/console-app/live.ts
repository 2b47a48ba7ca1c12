// The console's live WebSocket: once per interval one message is built from the feed and sent to
// every browser whose socket has room. A client whose buffer is above the bound is skipped (it
// catches up from the totals in the next message it gets), so no per-client queue ever grows.
import type { WebSocket } from 'ws';
import { LATENCY_BUCKETS } from '../observability/request-stats.js';
import type { ConsoleFeed, FeedCounters, FeedSnapshot } from './feed.js';

export interface ConsoleFeedOptions {
  /** How often one aggregated message goes out (ms). */
  readonly intervalMs: number;
  /** A client whose socket holds more than this (bytes, unsent) is skipped for the interval. */
  readonly maxBufferedBytes: number;
  /** Browsers connected at once; more are closed with 1013 (try again later). */
  readonly maxClients: number;
}

export const DEFAULT_CONSOLE_FEED: ConsoleFeedOptions = { intervalMs: 1000, maxBufferedBytes: 64 * 1024, maxClients: 200 };

/** WebSocket protocol version of the feed messages (docs/protocol.md, "Console live feed"). */
export const FEED_VERSION = 1;

interface Client {
  readonly ws: WebSocket;
  sent: number;
  skipped: number;
}

export interface LiveClientStats {
  readonly buffered: number;
  readonly sent: number;
  readonly skipped: number;
}

const perSecond = (now: FeedCounters, before: FeedCounters, seconds: number): Record<string, number> =>
  Object.fromEntries(Object.entries(now).map(([k, v]) =>
    [k, Math.round(((v - before[k as keyof FeedCounters]) / seconds) * 10) / 10]));

/** Latency quantile (ms) from the interval's histogram counts, interpolated inside the bucket. */
export function quantileMs(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let acc = 0;
  for (let i = 0; i < counts.length; i += 1) {
    const c = counts[i]!;
    if (acc + c >= rank && c > 0) {
      const lo = i === 0 ? 0 : LATENCY_BUCKETS[i - 1]!;
      const hi = LATENCY_BUCKETS[i] ?? lo;
      return Math.round((lo + ((hi - lo) * (rank - acc)) / c) * 1e5) / 100;
    }
    acc += c;
  }
  return null;
}

export class LiveBroadcaster {
  private readonly clients = new Set<Client>();
  private readonly timer: NodeJS.Timeout;
  private seq = 0;
  private previous: FeedSnapshot;

  constructor(private readonly feed: ConsoleFeed, readonly options: ConsoleFeedOptions, private readonly now = Date.now) {
    this.previous = feed.snapshot(now());
    this.timer = setInterval(() => this.tick(), options.intervalMs);
    this.timer.unref();
  }

  add(ws: WebSocket): void {
    if (this.clients.size >= this.options.maxClients) {
      ws.close(1013, 'too many console clients');
      return;
    }
    const c: Client = { ws, sent: 0, skipped: 0 };
    this.clients.add(c);
    ws.on('close', () => this.clients.delete(c));
    ws.on('error', () => this.clients.delete(c));
    // The feed is one-way; anything a browser sends is read and dropped (maxPayload bounds it).
    ws.on('message', () => undefined);
    ws.send(JSON.stringify({ type: 'hello', v: FEED_VERSION, intervalMs: this.options.intervalMs, at: this.now(),
      totals: this.feed.totals() }));
  }

  stats(): LiveClientStats[] {
    return [...this.clients].map((c) => ({ buffered: c.ws.bufferedAmount, sent: c.sent, skipped: c.skipped }));
  }

  /** Builds one message for the interval and offers it to every client (public for tests and benchmarks). */
  tick(): void {
    const snap = this.feed.snapshot(this.now());
    const message = this.message(snap, this.previous);
    this.previous = snap;
    if (this.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const c of this.clients) {
      if (c.ws.readyState !== c.ws.OPEN) continue;
      if (c.ws.bufferedAmount > this.options.maxBufferedBytes) {
        c.skipped += 1;
        continue;
      }
      c.sent += 1;
      c.ws.send(text);
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const c of this.clients) c.ws.close(1001, 'NS stopping');
    this.clients.clear();
  }

  private message(s: FeedSnapshot, prev: FeedSnapshot) {
    this.seq += 1;
    const seconds = Math.max(0.001, (s.at - prev.at) / 1000);
    const req = s.requests;
    const before = prev.requests;
    const counts = req === null ? [] : req.buckets.map((n, i) => n - (before?.buckets[i] ?? 0));
    return {
      type: 'tick', v: FEED_VERSION, seq: this.seq, at: s.at, seconds, totals: s.totals,
      rates: perSecond(s.totals, prev.totals, seconds),
      eventsByClass: s.eventsByClass, taskStates: s.taskStates,
      latencyMs: { p50: quantileMs(counts, 0.5), p95: quantileMs(counts, 0.95), p99: quantileMs(counts, 0.99) },
      errors: {
        client: (req?.clientErrors ?? 0) - (before?.clientErrors ?? 0),
        server: (req?.serverErrors ?? 0) - (before?.serverErrors ?? 0),
      },
      recent: { checkIns: s.recentCheckIns, registrations: s.recentRegistrations, taskStatuses: s.recentTaskStatuses },
      clients: this.clients.size,
    };
  }
}
