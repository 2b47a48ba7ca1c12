// What one probed flow came to: the status vocabulary of `smp-lab probe` and `verify-rules`, and
// the row shape of their reports. Pure types and counting; never does network work.
import type { ResolvedFlow } from '../shared/catalog-types.js';

export const STATUSES = ['pass', 'refused', 'timeout', 'mismatch', 'skipped', 'error'] as const;
export type ProbeStatus = (typeof STATUSES)[number];

/** The verdict of one flow's initiator run once. */
export interface Verdict {
  readonly status: ProbeStatus;
  readonly reason: string;
}

/** One report row (the JSON shape is part of the CLI contract, see docs/firewall.md). */
export interface ProbeResult extends Verdict {
  readonly id: string;
  readonly system: string;
  readonly component: string;
  readonly transport: string;
  readonly port: number | null;
  readonly from: string;
  readonly to: string;
  readonly ms: number;
  /** Which way the flow crossed, for verify-rules ("agent->server" / "server->agent"); absent in probe. */
  readonly direction?: string;
}

export type Summary = Record<ProbeStatus, number> & { readonly total: number };

export function summarise(rows: readonly ProbeResult[]): Summary {
  const s = { total: rows.length, pass: 0, refused: 0, timeout: 0, mismatch: 0, skipped: 0, error: 0 };
  for (const r of rows) s[r.status] += 1;
  return s;
}

/** Skipped flows were not probed; every probed flow must pass for a clean exit. */
export const allPassed = (rows: readonly ProbeResult[]): boolean => rows.every((r) => r.status === 'pass' || r.status === 'skipped');

export function resultRow(flow: ResolvedFlow, v: Verdict, ms: number, direction?: string): ProbeResult {
  return {
    id: flow.id, system: flow.system, component: flow.component, transport: flow.transport, port: flow.port,
    from: flow.initiator, to: flow.listener, status: v.status, reason: v.reason, ms: Math.round(ms),
    ...(direction ? { direction } : {}),
  };
}

export const pass = (reason: string): Verdict => ({ status: 'pass', reason });
export const refused = (reason: string): Verdict => ({ status: 'refused', reason });
export const timedOut = (reason: string): Verdict => ({ status: 'timeout', reason });
export const mismatch = (reason: string): Verdict => ({ status: 'mismatch', reason });
export const skipped = (reason: string): Verdict => ({ status: 'skipped', reason });
export const failed = (reason: string): Verdict => ({ status: 'error', reason });
