// Open-model rate control (--rate R, --ramp): intended send times at fixed spacing 1/R (rising
// linearly from 0 to R over the ramp), released into a bounded FIFO when due. The intended time
// travels with each send so latency is measured from it (no coordinated omission). It never
// performs a send itself and never lets the queue grow past its bound (excess sends are dropped
// and counted).
import type { LoadStats } from './stats.js';

export interface PacerOptions {
  /** Intended sends per second at full rate (> 0). */
  readonly rate: number;
  /** Linear ramp from 0 to `rate` over this many ms (0 = full rate at once). */
  readonly rampMs?: number;
  /** Most intended sends waiting for a free agent; beyond it new sends are dropped. */
  readonly maxQueue?: number;
  /** Start of the schedule on the `now` clock (ms). */
  readonly startAt: number;
  /** Stop releasing after this many sends (default: no end). */
  readonly maxSends?: number;
}

export const DEFAULT_MAX_QUEUE = 10_000;

/** Intended time (ms after start) of send n (0-based) at `rate`/s after a linear ramp of `rampMs`. */
export function intendedOffsetMs(n: number, rate: number, rampMs: number): number {
  const perMs = rate / 1000;
  const rampSends = (perMs * rampMs) / 2; // sends issued during the ramp: area under the ramp
  if (rampMs > 0 && n < rampSends) return Math.sqrt((2 * n * rampMs) / perMs);
  return rampMs + (n - (rampMs > 0 ? rampSends : 0)) / perMs;
}

/** Start offset of agent i of n when a closed-model fleet ramps up over `rampMs` (even spread). */
export const rampOffsetMs = (i: number, n: number, rampMs: number): number => (n > 1 ? (rampMs * i) / n : 0);

export class OpenModelPacer {
  readonly rate: number;
  readonly rampMs: number;
  readonly maxQueue: number;
  readonly startAt: number;
  readonly maxSends: number;
  /** Intended sends released so far (queued, taken or dropped). */
  released = 0;
  dropped = 0;
  private readonly ring: Float64Array;
  private head = 0;
  private size = 0;

  constructor(o: PacerOptions) {
    if (!(o.rate > 0) || !Number.isFinite(o.rate)) throw new RangeError(`rate must be a positive number, got ${o.rate}`);
    this.rate = o.rate;
    this.rampMs = Math.max(0, o.rampMs ?? 0);
    this.maxQueue = Math.max(1, Math.floor(o.maxQueue ?? DEFAULT_MAX_QUEUE));
    this.startAt = o.startAt;
    this.maxSends = o.maxSends ?? Infinity;
    this.ring = new Float64Array(this.maxQueue);
  }

  get queued(): number {
    return this.size;
  }

  intendedAt(n: number): number {
    return this.startAt + intendedOffsetMs(n, this.rate, this.rampMs);
  }

  /** Ms from `now` until the next intended send is due (0 when one is due). */
  nextDelay(now: number): number {
    if (this.released >= this.maxSends) return Infinity;
    return Math.max(0, this.intendedAt(this.released) - now);
  }

  /**
   * Releases every send intended by `now` into the queue; `onLate(ms)` hears how late the generator
   * released each one (its own lag). Returns how many were released (including dropped ones).
   */
  advance(now: number, onLate?: (lateMs: number) => void): number {
    let n = 0;
    for (let t = this.intendedAt(this.released); t <= now && this.released < this.maxSends; t = this.intendedAt(this.released)) {
      this.released += 1;
      n += 1;
      onLate?.(now - t);
      if (this.size === this.maxQueue) {
        this.dropped += 1;
        continue;
      }
      this.ring[(this.head + this.size) % this.maxQueue] = t;
      this.size += 1;
    }
    return n;
  }

  /** The oldest waiting send's intended time, removed from the queue; NaN when none waits. */
  take(): number {
    if (this.size === 0) return NaN;
    const t = this.ring[this.head]!;
    this.head = (this.head + 1) % this.maxQueue;
    this.size -= 1;
    return t;
  }

  /** Puts a taken send back at the head (no agent could take it after all). */
  untake(t: number): void {
    if (this.size === this.maxQueue) {
      this.dropped += 1;
      return;
    }
    this.head = (this.head - 1 + this.maxQueue) % this.maxQueue;
    this.ring[this.head] = t;
    this.size += 1;
  }
}

export interface OpenModelDriverOptions extends Omit<PacerOptions, 'startAt'> {
  /** Starts one send intended at `intendedAt` (performance.now ms); false when no agent is free. */
  readonly dispatch: (intendedAt: number) => boolean;
  /** Receives the generator's lag and dropped sends. */
  readonly stats?: LoadStats;
  /** Monotonic clock in ms (performance.now). */
  readonly now?: () => number;
  /** Longest sleep between checks, ms. */
  readonly maxSleepMs?: number;
}

export interface OpenModelDriver {
  readonly pacer: OpenModelPacer;
  /** Call when an agent becomes free: dispatches queued sends at once. */
  pump(): void;
  stop(): void;
}

/** Runs a pacer on one timer, dispatching due sends in FIFO order until `stop()`. */
export function startOpenModel(o: OpenModelDriverOptions): OpenModelDriver {
  const now = o.now ?? (() => performance.now());
  const pacer = new OpenModelPacer({ ...o, startAt: now() });
  const stats = o.stats;
  const onLate = stats ? (ms: number): void => stats.recordLag(ms * 1000) : undefined;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let reported = 0;
  const drain = (): void => {
    while (pacer.queued > 0) {
      const t = pacer.take();
      if (!o.dispatch(t)) {
        pacer.untake(t);
        break;
      }
    }
    if (stats && pacer.dropped > reported) {
      stats.recordDropped(pacer.dropped - reported);
      reported = pacer.dropped;
    }
  };
  const tick = (): void => {
    timer = null;
    if (stopped) return;
    pacer.advance(now(), onLate);
    drain();
    if (pacer.released >= pacer.maxSends) return; // the schedule is complete; pump() drains the rest
    timer = setTimeout(tick, Math.min(o.maxSleepMs ?? 50, pacer.nextDelay(now())));
  };
  timer = setTimeout(tick, 0);
  return {
    pacer,
    pump() { if (!stopped) drain(); },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
