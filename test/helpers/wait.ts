// Waiting in tests: for an event or a condition, always with a deadline, never a fixed sleep.
import { once, type EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';

/** Resolves with the event's arguments, or rejects after `ms` naming the event. */
export async function waitForEvent<T extends unknown[] = unknown[]>(emitter: EventEmitter, event: string, ms = 5000): Promise<T> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`no "${event}" event within ${ms} ms`)), ms);
  try {
    return (await once(emitter, event, { signal: ac.signal })) as T;
  } catch (err) {
    throw ac.signal.aborted ? ac.signal.reason : err;
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` until it returns a truthy value or the deadline passes (for state behind a socket). */
export async function waitUntil<T>(check: () => T | Promise<T>, what: string, ms = 5000, every = 10): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(every);
  }
}
