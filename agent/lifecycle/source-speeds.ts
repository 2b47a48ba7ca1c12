// What each simulated agent remembers of its download sources (notes §2.4 step 7): a speed check's
// result is reused for 6 hours (divided by --accelerate) instead of probing before every delivery,
// and each failed download from a source lowers that source's effective speed until the next speed
// check. Typed-array rows per source, made on first use; never a map or object per agent.
import type { CodebaseTarget, ProbeResult } from './speed-check.js';

/** How long an agent trusts a speed check (the real agent's 6 h), in unaccelerated ms. */
export const SPEED_CACHE_MS = 6 * 3_600_000;

/**
 * Effective speed after n download errors from a source: the notes' 95, 90, 75 and 60 %, then (smp-lab)
 * down by 15 points a step to a floor of 15 %.
 */
export const PENALTY_FACTORS = [1, 0.95, 0.9, 0.75, 0.6, 0.45, 0.3, 0.15] as const;

/** Distinct probe targets, and distinct sources, a fleet process remembers; past it nothing more is kept. */
const MAX_KEYS = 256;

interface ProbeRows {
  /** Connect time of the last answered probe, ms. */
  readonly ms: Float32Array;
  /** When it was taken (performance.now ms; 0 = never). */
  readonly at: Float64Array;
}

/** A source as the penalty counts it: the package server's name at its host:port. */
export const sourceKey = (t: CodebaseTarget): string => `${t.codebase.server}|${t.host}|${t.port}`;

export class SourceSpeeds {
  /** By probe key (host|port, speed-check.ts keyOf). */
  private readonly probes = new Map<string, ProbeRows>();
  /** By source key: download errors since the agent's last speed check. */
  private readonly errors = new Map<string, Uint8Array>();

  /** `cacheMs`: the speed cache's lifetime as the fleet runs it (SPEED_CACHE_MS / accelerate). */
  constructor(private readonly size: number, private readonly cacheMs: number) {}

  /** Agent k's answered probe of this host:port when younger than the cache's lifetime. */
  cached(k: number, key: string, now: number): ProbeResult | undefined {
    const r = this.probes.get(key);
    const at = r?.at[k] ?? 0;
    return r && at > 0 && now - at < this.cacheMs ? { ms: r.ms[k]!, outcome: 'ok' } : undefined;
  }

  /** Keeps an answered probe (an unanswered one is asked again next time, not trusted for hours). */
  store(k: number, key: string, probe: ProbeResult, now: number): void {
    if (probe.ms === null) return;
    let r = this.probes.get(key);
    if (!r && this.probes.size < MAX_KEYS) this.probes.set(key, (r = { ms: new Float32Array(this.size), at: new Float64Array(this.size) }));
    if (!r) return;
    r.ms[k] = probe.ms;
    r.at[k] = Math.max(now, Number.MIN_VALUE);
  }

  /** A new speed check of agent k: its sources start again at full speed. */
  resetPenalties(k: number): void {
    for (const e of this.errors.values()) e[k] = 0;
  }

  penalize(k: number, source: string): void {
    let e = this.errors.get(source);
    if (!e && this.errors.size < MAX_KEYS) this.errors.set(source, (e = new Uint8Array(this.size)));
    if (e && e[k]! < PENALTY_FACTORS.length - 1) e[k]! += 1;
  }

  /** Share of its measured speed agent k credits this source with. */
  factor(k: number, source: string): number {
    return PENALTY_FACTORS[this.errors.get(source)?.[k] ?? 0]!;
  }
}
