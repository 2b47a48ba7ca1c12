// The console's live feed: plain counters the NS bumps where things happen (registration, check-in,
// event intake, tickles, task statuses, package downloads). Every call is an O(1) increment and at
// most one bounded array push; snapshot() is read once per feed interval, never per request.
import type { TaskState } from '../../../shared/protocol/task-xml.js';
import type { RequestTotals } from '../observability/request-stats.js';

/** Event classes kept apart in the feed; more go under "other" so a message stays small. */
export const MAX_EVENT_CLASSES = 32;
/** GUIDs of check-ins and registrations named per interval; beyond it only the counters grow. */
export const MAX_RECENT = 100;
type FeedTaskState = TaskState;

export interface FeedCounters {
  registrations: number;
  checkIns: number;
  refused: number;
  events: number;
  tickles: number;
  multicastTickles: number;
  wakes: number;
  taskStatuses: number;
  packageDownloads: number;
  packageDownloadsTls: number;
  httpRequests: number;
  httpsRequests: number;
}

export interface RecentRegistration {
  readonly guid: string;
  readonly name: string;
  readonly state: string;
}

/** One interval's facts as the feed hands them to the broadcaster. */
export interface FeedSnapshot {
  readonly at: number;
  readonly totals: FeedCounters;
  readonly eventsByClass: Record<string, number>;
  readonly taskStates: Record<FeedTaskState, number>;
  readonly recentCheckIns: readonly string[];
  readonly recentRegistrations: readonly RecentRegistration[];
  readonly recentTaskStatuses: readonly { task: string; guid: string; state: string }[];
  readonly requests: RequestTotals | null;
}

const zero = (): FeedCounters => ({
  registrations: 0, checkIns: 0, refused: 0, events: 0, tickles: 0, multicastTickles: 0, wakes: 0, taskStatuses: 0,
  packageDownloads: 0, packageDownloadsTls: 0, httpRequests: 0, httpsRequests: 0,
});

export class ConsoleFeed {
  private readonly counters: FeedCounters = zero();
  private readonly byClass = new Map<string, number>();
  private readonly taskStates: Record<FeedTaskState, number> = { received: 0, running: 0, completed: 0, failed: 0 };
  private checkIns: string[] = [];
  private registrations: RecentRegistration[] = [];
  private taskStatuses: { task: string; guid: string; state: string }[] = [];
  private requestTotals: (() => RequestTotals) | null = null;

  /** Where latency and error totals come from (the NS's request statistics for /metrics). */
  readRequestsFrom(totals: () => RequestTotals): void {
    this.requestTotals = totals;
  }

  registration(guid: string, name: string, state: string): void {
    this.counters.registrations += 1;
    if (this.registrations.length < MAX_RECENT) this.registrations.push({ guid, name, state });
  }

  checkIn(guid: string): void {
    this.counters.checkIns += 1;
    if (this.checkIns.length < MAX_RECENT) this.checkIns.push(guid);
  }

  /** A computer refused (blocked, or an unproven key change). */
  refusal(): void {
    this.counters.refused += 1;
  }

  event(eventClass: string | null): void {
    this.counters.events += 1;
    const key = eventClass ?? 'none';
    const n = this.byClass.get(key);
    if (n !== undefined) this.byClass.set(key, n + 1);
    else if (this.byClass.size < MAX_EVENT_CLASSES) this.byClass.set(key, 1);
    else this.byClass.set('other', (this.byClass.get('other') ?? 0) + 1);
  }

  tickles(tcp: number, multicast: number, wakes: number): void {
    this.counters.tickles += tcp;
    this.counters.multicastTickles += multicast;
    this.counters.wakes += wakes;
  }

  taskStatus(task: string, guid: string, state: FeedTaskState): void {
    this.counters.taskStatuses += 1;
    this.taskStates[state] += 1;
    if (this.taskStatuses.length < MAX_RECENT) this.taskStatuses.push({ task, guid, state });
  }

  packageDownload(tls: boolean): void {
    this.counters.packageDownloads += 1;
    if (tls) this.counters.packageDownloadsTls += 1;
  }

  request(tls: boolean): void {
    if (tls) this.counters.httpsRequests += 1;
    else this.counters.httpRequests += 1;
  }

  /** Totals so far (copies; the recent lists are not touched). */
  totals(): FeedCounters {
    return { ...this.counters };
  }

  /** Totals so far and the recent lists of the interval, which start afresh. */
  snapshot(now: number): FeedSnapshot {
    const s: FeedSnapshot = {
      at: now, totals: { ...this.counters }, eventsByClass: Object.fromEntries(this.byClass),
      taskStates: { ...this.taskStates }, recentCheckIns: this.checkIns, recentRegistrations: this.registrations,
      recentTaskStatuses: this.taskStatuses, requests: this.requestTotals?.() ?? null,
    };
    this.checkIns = [];
    this.registrations = [];
    this.taskStatuses = [];
    return s;
  }
}
