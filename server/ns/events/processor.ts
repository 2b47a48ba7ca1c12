// Drains the event queues in the background, as the NS's event processing does after the router
// has queued an NSE: intake has already decoded and validated the event, so processing marks it
// processed (failed when its body is empty) and moves a known sender's last-seen time.
// Never deletes an event; never decodes an NSE a second time. While there is a backlog
// it drains in short slices back to back, so it keeps up with intake without starving requests.
import type { NsContext } from '../context.js';
import { EVENT_QUEUES, type EventMark } from '../store/events.js';

export interface EventProcessor {
  /** Processes one round now (tests); returns how many events changed state. */
  drain(): number;
  stop(): void;
}

/** Longest run of one processing slice before the event loop gets the thread back (ms). */
const SLICE_MS = 4;

export function startEventProcessor(ctx: NsContext): EventProcessor {
  const { events, resources } = ctx.store;
  /** One batch of every queue; returns how many events changed state. */
  const drain = (): number => {
    let changed = 0;
    for (const queue of EVENT_QUEUES) {
      const batch = events.nextQueued(queue, ctx.events.drainBatch);
      if (batch.length === 0) continue;
      const updates = batch.map((e): EventMark => {
        if (e.size === 0) {
          ctx.log.warn({ eventId: e.id, queue }, 'event processing failed: empty body');
          return { id: e.id, queue, state: 'failed', note: 'empty body' };
        }
        if (e.resourceGuid && resources.get(e.resourceGuid)) resources.touch(e.resourceGuid);
        return { id: e.id, queue, state: 'processed' };
      });
      changed += events.mark(updates);
    }
    return changed;
  };
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  /** Drains slice after slice while there is a backlog, yielding between slices; then waits for the interval. */
  const run = (): void => {
    timer = null;
    if (stopped) return;
    const until = performance.now() + SLICE_MS;
    let more: boolean;
    try {
      do more = drain() > 0; while (more && performance.now() < until);
    } catch (err) {
      more = false;
      ctx.log.error({ err }, 'event drain failed');
    }
    if (stopped) return;
    if (more) setImmediate(run);
    else wait();
  };
  const wait = (): void => {
    timer = setTimeout(run, ctx.events.drainIntervalMs);
    timer.unref();
  };
  if (ctx.events.drainIntervalMs > 0) wait();
  return {
    drain,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
