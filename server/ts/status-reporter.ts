// Forwards task statuses from agents to the NS in batches (ReportTaskData.aspx): at most `batch`
// per post, at least every `intervalMs`, one post in flight. A failed post keeps its statuses for
// the next try (bounded queue; the oldest are dropped with a log line and a metric when full).
import { isSmpError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import type { StatusDoc } from '../../shared/protocol/task-xml.js';
import type { TsMetrics } from './metrics.js';
import type { NsClient } from './ns-client.js';

const MAX_QUEUED = 200_000;

export class StatusReporter {
  private queue: StatusDoc[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly ns: NsClient,
    private readonly tsGuid: () => string,
    private readonly batch: number,
    private readonly intervalMs: number,
    private readonly metrics: TsMetrics,
    private readonly log: Logger,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  add(s: StatusDoc): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.queue.shift();
      this.metrics.statuses.inc({ outcome: 'dropped' });
      this.log.warn({ queued: this.queue.length }, 'status queue full; oldest status dropped');
    }
    this.queue.push(s);
    this.metrics.statuses.inc({ outcome: 'received' });
    if (this.queue.length >= this.batch) this.flushSoon(0);
    else this.flushSoon(this.intervalMs);
  }

  private flushSoon(ms: number): void {
    if (this.stopped || this.inFlight !== null) return;
    if (this.timer !== null) {
      if (ms > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  async flush(): Promise<void> {
    if (this.inFlight !== null) return this.inFlight;
    if (this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.batch);
    this.inFlight = this.ns.report(this.tsGuid(), batch).then(
      () => {
        this.metrics.statuses.inc({ outcome: 'forwarded' }, batch.length);
      },
      (err: unknown) => {
        if (isSmpError(err, 'BAD_INPUT')) {
          // The NS refused the batch itself (4xx): retrying the same bytes cannot succeed.
          this.metrics.statuses.inc({ outcome: 'refused-by-ns' }, batch.length);
          this.log.error({ err: (err as Error).message, statuses: batch.length }, 'ReportTaskData refused by the NS; batch dropped');
          return;
        }
        this.queue.unshift(...batch);
        this.metrics.statuses.inc({ outcome: 'forward-failed' }, batch.length);
        this.log.warn({ err: (err as Error).message, statuses: batch.length }, 'ReportTaskData failed; will retry');
      },
    ).finally(() => {
      this.inFlight = null;
      if (this.queue.length > 0) this.flushSoon(this.queue.length >= this.batch ? 0 : this.intervalMs);
    });
    return this.inFlight;
  }

  /** Sends what is queued (best effort, bounded by the NS client's timeout) and stops. */
  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.inFlight !== null) await this.inFlight;
    while (this.queue.length > 0) {
      const before = this.queue.length;
      await this.flush();
      if (this.queue.length >= before) break;
    }
    this.stopped = true;
  }
}
