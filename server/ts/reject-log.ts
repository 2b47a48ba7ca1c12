// Refusals on a TS port (bad frames, floods, caps): every one counts in a metric; log lines are
// limited to one per reason per window with the count suppressed since, so a flood cannot flood
// the log. Never throws.
import type { Logger } from '../../shared/log.js';
import type { TsMetrics } from './metrics.js';

export class RejectLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly log: Logger, private readonly metrics: TsMetrics, private readonly windowMs = 5000) {}

  note(channel: string, reason: string, fields: Record<string, unknown>, message: string): void {
    this.metrics.rejects.inc({ channel, reason });
    const key = `${channel}/${reason}`;
    const now = Date.now();
    const seen = this.last.get(key);
    if (seen !== undefined && now - seen.at < this.windowMs) {
      seen.suppressed++;
      return;
    }
    this.last.set(key, { at: now, suppressed: 0 });
    this.log.warn({ channel, reason, ...fields, suppressedSinceLast: seen?.suppressed ?? 0 }, message);
  }
}
