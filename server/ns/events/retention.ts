// Event retention: on a schedule, purge processed events past the age and count limits, as SMP's
// purging maintenance does, so stored NSEs cannot grow the database without bound. Never touches an
// event that is still queued (an acknowledged write not yet processed).
import type { NsContext } from '../context.js';
import { DEFAULT_RETENTION } from '../options.js';

export interface Retention {
  /** One purge now; returns how many events went. */
  purge(): number;
  stop(): void;
}

export function startRetention(ctx: NsContext, now: () => number = Date.now): Retention {
  const o = ctx.events;
  const retainMs = o.retainMs ?? DEFAULT_RETENTION.retainMs;
  const retainCount = o.retainCount ?? DEFAULT_RETENTION.retainCount;
  const every = o.purgeEveryMs ?? DEFAULT_RETENTION.purgeEveryMs;
  const purge = (): number => {
    const n = ctx.store.events.purge(retainMs > 0 ? now() - retainMs : null, retainCount > 0 ? retainCount : null);
    if (n > 0) ctx.log.info({ purged: n, retainMs, retainCount }, 'event retention purged processed events');
    return n;
  };
  const timer = every > 0 ? setInterval(() => {
    try {
      purge();
    } catch (err) {
      ctx.log.error({ err }, 'event retention purge failed');
    }
  }, every) : null;
  timer?.unref();
  return { purge, stop: () => { if (timer) clearInterval(timer); } };
}
