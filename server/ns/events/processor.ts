// Drains the event queues in the background, as the NS's event processing does after the router
// has queued an NSE: each queued event is decoded again and marked processed (or failed with the
// reason); a known sender's last-seen time moves. Never deletes an event.
import { isSmpError } from '../../../shared/errors.js';
import { decodeNse } from '../../../shared/protocol/nse.js';
import type { NsContext } from '../context.js';
import { EVENT_QUEUES } from '../store/events.js';

export interface EventProcessor {
  /** Processes one round now (tests); returns how many events changed state. */
  drain(): number;
  stop(): void;
}

export function startEventProcessor(ctx: NsContext): EventProcessor {
  const { events, resources } = ctx.store;
  const limits = { maxBytes: ctx.limits.eventBodyLimit, maxDepth: ctx.limits.xmlMaxDepth, maxRows: 10_000_000, maxColumns: 512 };
  const drain = (): number => {
    let changed = 0;
    for (const queue of EVENT_QUEUES) {
      const batch = events.nextQueued(queue, ctx.events.drainBatch);
      if (batch.length === 0) continue;
      const updates = batch.map((e) => {
        try {
          const body = events.body(e.id);
          if (body === undefined) return { id: e.id, queue, state: 'failed' as const, note: 'body missing' };
          decodeNse(body, limits);
          if (e.resourceGuid && resources.get(e.resourceGuid)) resources.touch(e.resourceGuid);
          return { id: e.id, queue, state: 'processed' as const };
        } catch (err) {
          const note = isSmpError(err) ? err.message : 'processing failed';
          ctx.log.warn({ eventId: e.id, queue, err }, 'event processing failed');
          return { id: e.id, queue, state: 'failed' as const, note };
        }
      });
      changed += events.mark(updates);
    }
    return changed;
  };
  const timer = ctx.events.drainIntervalMs > 0 ? setInterval(() => {
    try {
      drain();
    } catch (err) {
      ctx.log.error({ err }, 'event drain failed');
    }
  }, ctx.events.drainIntervalMs) : null;
  timer?.unref();
  return { drain, stop: () => timer && clearInterval(timer) };
}
