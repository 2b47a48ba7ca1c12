// Pass/fail thresholds of a load run (--max-error-rate, --max-p99), judged once on the final (or
// merged) report, and the exit codes that follow: 0 passed, 3 a threshold failed, 1 the tool itself
// failed. Judging never writes or prints; the caller writes the reports first, whatever the verdict.
import { ERRORS } from '../../shared/errors.js';

export interface Thresholds {
  /** Largest fraction (0..1) of failed requests (errors of any kind plus dropped sends). */
  readonly maxErrorRate?: number | undefined;
  /** Largest p99 latency (ms, from the intended send time, ok responses) of any endpoint. */
  readonly maxP99Ms?: number | undefined;
  /** Fail a run that attempted requests and got not one right answer (a dead or unresolvable target). */
  readonly requireSuccess?: boolean | undefined;
}

export interface Verdict {
  maxErrorRate: number | null;
  maxP99Ms: number | null;
  passed: boolean;
  failures: string[];
}

export const EXIT_CODES = {
  /** Every threshold held (or none was set). */
  PASS: 0,
  /** The tool failed (bad input, cannot bind, crashed): the run says nothing about the server. */
  TOOL_ERROR: ERRORS.INTERNAL.exitCode,
  /** A threshold failed: the server did not meet the target. */
  THRESHOLD: ERRORS.THRESHOLD.exitCode,
} as const;

/** What judging needs from a report. */
export interface Judgeable {
  totals: { requests: number; ok: number; dropped: number; errorRate: number };
  endpoints: ReadonlyArray<{ endpoint: string; latencyMs: { p99: number } | null }>;
}

export function judge(r: Judgeable, t: Thresholds): Verdict {
  const failures: string[] = [];
  const any = t.maxErrorRate !== undefined || t.maxP99Ms !== undefined;
  if (t.maxErrorRate !== undefined && r.totals.errorRate > t.maxErrorRate) {
    failures.push(`error rate ${pct(r.totals.errorRate)} > ${pct(t.maxErrorRate)}`);
  }
  if (t.maxP99Ms !== undefined) {
    for (const e of r.endpoints) {
      if (e.latencyMs && e.latencyMs.p99 > t.maxP99Ms) failures.push(`${e.endpoint} p99 ${e.latencyMs.p99} ms > ${t.maxP99Ms} ms`);
    }
  }
  const attempted = r.totals.requests + r.totals.dropped;
  if (any && attempted === 0) failures.push('no requests were made');
  if (t.requireSuccess === true && attempted > 0 && r.totals.ok === 0) {
    failures.push(`none of ${attempted} requests succeeded (is the target up and reachable?); --allow-no-success accepts that`);
  }
  return { maxErrorRate: t.maxErrorRate ?? null, maxP99Ms: t.maxP99Ms ?? null, passed: failures.length === 0, failures };
}

export const exitCodeOf = (v: Verdict): number => (v.passed ? EXIT_CODES.PASS : EXIT_CODES.THRESHOLD);

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
