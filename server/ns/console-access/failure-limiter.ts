// Failed credentials per client address in a fixed window: after `max` failures the address gets
// 429 until its window ends, whatever it sends (so a right guess after the limit gains nothing).
// Bounded: at most MAX_ADDRESSES entries, the oldest windows dropped first.

const MAX_ADDRESSES = 100_000;

interface Window {
  failures: number;
  resetAt: number;
}

export class FailureLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly max: number, private readonly windowMs: number) {}

  /** Milliseconds until the address may try again, or 0 when it may try now. */
  blockedFor(address: string, now: number): number {
    const w = this.windows.get(address);
    if (w === undefined) return 0;
    if (w.resetAt <= now) {
      this.windows.delete(address);
      return 0;
    }
    return w.failures >= this.max ? w.resetAt - now : 0;
  }

  fail(address: string, now: number): void {
    let w = this.windows.get(address);
    if (w === undefined || w.resetAt <= now) {
      if (w !== undefined) this.windows.delete(address);
      if (this.windows.size >= MAX_ADDRESSES) {
        const oldest = this.windows.keys().next();
        if (!oldest.done) this.windows.delete(oldest.value);
      }
      w = { failures: 0, resetAt: now + this.windowMs };
      this.windows.set(address, w);
    }
    w.failures += 1;
  }
}
