// How a fleet of N agents is laid out on Kubernetes: shards (one pod each), simulator processes per pod
// (from the descriptor arithmetic the agents verb itself uses), heap mode and resources per pod. Pure
// planning from numbers: it never reads the environment or the cluster.
import { sliceOf } from '../../agent/fleet/shard.js';
import { descriptorsNeeded } from '../../agent/load/fd-limit.js';
import { resolveHeapMode, type HeapMode } from '../../agent/load/heap-mode.js';
import { configError } from '../../shared/errors.js';
import { podResources, type PodResources } from './sizing.js';

/** Agents one pod runs when --shards is not given. */
export const DEFAULT_AGENTS_PER_POD = 25_000;
/** The agents verb's own ceiling on a fleet (its --count). */
export const MAX_FLEET = 1_000_000;

export interface FleetPlanInput {
  readonly agents: number;
  /** Pods of the Indexed Job; default ceil(agents / DEFAULT_AGENTS_PER_POD). */
  readonly shards?: number | undefined;
  /** Pods running at once; default all of them (a load test wants the whole fleet at once). */
  readonly parallelism?: number | undefined;
  readonly concurrency: number;
  readonly idleSockets: number;
  /** Open-file limit of a container (Kubernetes has no per-pod ulimit; it is the runtime's). */
  readonly nofile: number;
  readonly heap: HeapMode;
}

export interface FleetPlan {
  readonly agents: number;
  readonly shards: number;
  readonly parallelism: number;
  /** Agents of the largest shard (shards differ by one at most). */
  readonly agentsPerPod: number;
  /** Simulator processes per pod: 1, or --workers N past the descriptor limit. */
  readonly workersPerPod: number;
  readonly agentsPerProcess: number;
  /** Descriptors one simulator process needs with this layout. */
  readonly descriptorsPerProcess: number;
  readonly heap: 'lean' | 'fast';
  readonly resources: PodResources;
}

export function planFleet(i: FleetPlanInput): FleetPlan {
  if (!Number.isSafeInteger(i.agents) || i.agents < 1 || i.agents > MAX_FLEET) {
    throw configError('--agents', i.agents, `a positive integer of at most ${MAX_FLEET}`);
  }
  const shards = i.shards ?? Math.ceil(i.agents / DEFAULT_AGENTS_PER_POD);
  if (!Number.isSafeInteger(shards) || shards < 1) throw configError('--shards', shards, 'a positive integer');
  if (shards > i.agents) {
    throw configError('--shards', shards, `at most --agents (${i.agents}): every shard runs at least one agent`);
  }
  const parallelism = i.parallelism ?? shards;
  if (parallelism > shards) throw configError('--parallelism', parallelism, `at most --shards (${shards})`);
  const first = sliceOf(i.agents, { index: 0, count: shards });
  const last = sliceOf(i.agents, { index: shards - 1, count: shards });
  const agentsPerPod = Math.max(first.end - first.start, last.end - last.start);
  const budget = { concurrency: i.concurrency, idleSockets: i.idleSockets };
  const per = (w: number): number => descriptorsNeeded(Math.ceil(agentsPerPod / w), budget);
  let workers = 1;
  while (workers < agentsPerPod && per(workers) > i.nofile) workers += 1;
  if (per(workers) > i.nofile) {
    throw configError('--nofile', i.nofile,
      `at least ${per(workers)} (one process per agent still needs that many descriptors)`);
  }
  const agentsPerProcess = Math.ceil(agentsPerPod / workers);
  const heap = resolveHeapMode(i.heap, agentsPerProcess);
  return { agents: i.agents, shards, parallelism, agentsPerPod, workersPerPod: workers, agentsPerProcess,
    descriptorsPerProcess: per(workers), heap, resources: podResources({ agentsPerProcess, workers, heap }) };
}
