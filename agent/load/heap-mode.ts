// The V8 heap policy of a simulator process. A large fleet is mostly idle state plus bursts of
// requests; V8's default heap growth keeps the burst's high-water mark resident (about 2.5 KiB per
// agent at 100,000 agents), so large fleets run V8 with --optimize-for-size (measured: about half the
// resident memory for about 1.4x the CPU per request). It only sets a process-wide V8 flag, once.
import { setFlagsFromString } from 'node:v8';

export type HeapMode = 'auto' | 'lean' | 'fast';

/**
 * Agents per process from which `auto` chooses the lean heap. Below it the fast heap's extra memory is
 * a few hundred MiB at most (20,000 agents: 242 vs 115 MiB), while the lean heap's 1.4x CPU per request
 * costs registration throughput (20,000 agents, one process: about 1,000/s fast, 700-1,000/s lean).
 */
export const LEAN_HEAP_FROM = 50_000;

export function resolveHeapMode(mode: HeapMode, agentsPerProcess: number): 'lean' | 'fast' {
  if (mode !== 'auto') return mode;
  return agentsPerProcess >= LEAN_HEAP_FROM ? 'lean' : 'fast';
}

let lean = false;

/** Switches this process's V8 heap to favour memory over speed (idempotent; never switched back). */
export function useLeanHeap(): void {
  if (lean) return;
  setFlagsFromString('--optimize-for-size');
  lean = true;
}
