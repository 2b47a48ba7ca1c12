// How many simulator processes a fleet needs: the process's file-descriptor soft limit (read from
// the OS, never assumed) against the sockets the fleet can hold open at once. Pure planning; it never
// starts a process and never raises a limit.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Descriptors a simulator process keeps for itself: stdio, listeners, the IPC channel, files, libuv. */
export const FD_RESERVE = 256;

export interface FdLimit {
  /** The soft limit (what the process may open), or null when it could not be read. */
  readonly soft: number | null;
  /** Where the figure came from. */
  readonly source: '/proc/self/limits' | 'ulimit -n' | 'unknown';
}

/** Parses the "Max open files" row of /proc/<pid>/limits; null when absent or unlimited. */
export function parseProcLimits(text: string): number | null {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (!m || m[1] === 'unlimited') return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** The soft descriptor limit of this process: /proc/self/limits on Linux, else `ulimit -n` in a child shell. */
export function readFdLimit(): FdLimit {
  try {
    const soft = parseProcLimits(readFileSync('/proc/self/limits', 'utf8'));
    if (soft !== null) return { soft, source: '/proc/self/limits' };
  } catch { /* not Linux: ask the shell */ }
  try {
    const out = execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 5000 }).trim();
    const n = Number(out);
    if (Number.isSafeInteger(n) && n > 0) return { soft: n, source: 'ulimit -n' };
  } catch { /* no shell */ }
  return { soft: null, source: 'unknown' };
}

export interface SocketBudget {
  /** Agents in the whole fleet (or this shard). */
  readonly agents: number;
  /** Requests in flight at most, per process. */
  readonly concurrency: number;
  /** Idle keep-alive connections kept open between requests, per process. */
  readonly idleSockets: number;
}

/** Sockets one process running `agents` of the fleet may hold at once, plus its own reserve. */
export function descriptorsNeeded(agents: number, b: Omit<SocketBudget, 'agents'>): number {
  return Math.min(agents, b.concurrency) + Math.min(agents, b.idleSockets) + FD_RESERVE;
}

export interface WorkerPlan {
  readonly workers: number;
  /** Why this many, in a phrase for the ready line. */
  readonly reason: string;
  /** Descriptors one process needs with this plan. */
  readonly perProcess: number;
  readonly limit: FdLimit;
  /** Set when an explicit --workers leaves a process above its limit. */
  readonly warning?: string;
}

/** `requested` 0 = automatic: one process unless its sockets would exceed the descriptor limit. */
export function planWorkers(requested: number, b: SocketBudget, limit: FdLimit = readFdLimit()): WorkerPlan {
  const per = (w: number): number => descriptorsNeeded(Math.ceil(b.agents / w), b);
  const soft = limit.soft;
  const lim = soft === null ? 'unknown' : String(soft);
  if (requested > 0) {
    const workers = Math.min(requested, Math.max(1, b.agents));
    const need = per(workers);
    return { workers, perProcess: need, limit, reason: `--workers ${requested}`,
      ...(soft !== null && need > soft ? { warning: `each process may need ${need} descriptors, above its limit of ${soft} (${limit.source}); `
        + 'raise `ulimit -n`, lower --concurrency/--idle-sockets or use more --workers' } : {}) };
  }
  if (soft === null || per(1) <= soft) {
    return { workers: 1, perProcess: per(1), limit, reason: `automatic: ${per(1)} descriptors fit the limit of ${lim}` };
  }
  let w = 1;
  while (w < b.agents && per(w) > soft) w += 1;
  return { workers: w, perProcess: per(w), limit,
    reason: `automatic: the fleet needs ${per(1)} descriptors, above this process's limit of ${soft} (${limit.source})` };
}
