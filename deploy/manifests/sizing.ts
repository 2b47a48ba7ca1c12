// Resources of a fleet pod from measured figures: the resident memory of one `smp-lab agents`
// process is a baseline plus a cost per agent, both measured on this project's machine (dated, with
// the command, in bench/RESULTS.md). Change the figures here only with a new measurement there.
import type { HeapMode } from '../../agent/load/heap-mode.js';

export interface MeasuredFootprint {
  /** RSS of a simulator process with a 10-agent fleet (same command, same run). */
  readonly baselineMiB: number;
  /** RSS above the baseline per agent, registered and checking in. */
  readonly bytesPerAgent: number;
  /** Peak RSS over steady RSS during the run (registration bursts, GC). */
  readonly peakRatio: number;
}

/**
 * 2026-12-04, `BENCH_FLEET=25000 BENCH_INTERVAL_S=60 BENCH_STEADY_S=30 BENCH_CONCURRENCY=256
 * BENCH_HEAP=<heap> npm run bench:agents fleet` (bench/RESULTS.md, "Kubernetes sizing").
 */
export const MEASURED: Readonly<Record<Exclude<HeapMode, 'auto'>, MeasuredFootprint>> = {
  fast: { baselineMiB: 71, bytesPerAgent: 4046, peakRatio: 171 / 168 },
  lean: { baselineMiB: 69, bytesPerAgent: 1005, peakRatio: 110 / 93 },
};

/** The measurements ran at this --concurrency; the high-water mark of a process grows with it. */
export const MEASURED_CONCURRENCY = 256;
/** Room above the measured peak for what the measurement did not see (GC timing, slower NS, longer runs). */
export const HEADROOM = 1.25;
/** CPU of one simulator process: it uses one core at most; registration bursts use all of it. */
const CPU_REQUEST_MILLI = 500;
const CPU_LIMIT_MILLI = 1000;
/** The parent of worker processes only relays tickles, progress and metrics. */
const PARENT_CPU_MILLI = 100;

export interface PodResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
  /** Expected resident memory of the pod, MiB (the request). */
  readonly expectedMiB: number;
  /** Memory limit, MiB: expected x peak ratio x headroom. */
  readonly limitMiB: number;
}

const roundUp = (n: number, step: number): number => Math.ceil(n / step) * step;

/** Expected RSS (MiB) of one simulator process running `agents` agents with `heap`. */
export function processMiB(agents: number, heap: 'lean' | 'fast'): number {
  const m = MEASURED[heap];
  return m.baselineMiB + (agents * m.bytesPerAgent) / 2 ** 20;
}

export function podResources(o: { agentsPerProcess: number; workers: number; heap: 'lean' | 'fast' }): PodResources {
  const m = MEASURED[o.heap];
  const parent = o.workers > 1 ? m.baselineMiB : 0;
  const expected = roundUp(parent + o.workers * processMiB(o.agentsPerProcess, o.heap), 16);
  const limit = roundUp(expected * m.peakRatio * HEADROOM, 16);
  const cpuRequest = o.workers * CPU_REQUEST_MILLI + (o.workers > 1 ? PARENT_CPU_MILLI : 0);
  const cpuLimit = o.workers * CPU_LIMIT_MILLI + (o.workers > 1 ? PARENT_CPU_MILLI : 0);
  return {
    requests: { cpu: `${cpuRequest}m`, memory: `${expected}Mi` },
    limits: { cpu: `${cpuLimit}m`, memory: `${limit}Mi` },
    expectedMiB: expected, limitMiB: limit,
  };
}
