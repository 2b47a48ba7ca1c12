// The IPC messages between a fleet's parent process and its worker processes (smp-lab's own, JSON
// over Node's child-process channel, never over the network). A worker runs one disjoint shard; the
// parent owns the listeners, the live output, the merged metrics and the one report.
import type { FleetRunOptions } from './runner.js';

/** What a worker needs to run its shard; the CA travels as PEM text, listeners stay in the parent. */
export type WorkerRunOptions = Omit<FleetRunOptions, 'ca' | 'hmacKey' | 'metricsPort' | 'metricsHost'> & { readonly ca?: string };

/** Inbound work routed by the parent: [local index, kind, argument] triples, flattened. */
export const InboundKind = { TICKLE: 0, WAKE: 1 } as const;
export const VIA = ['tcp', 'multicast', 'magic', 'relay'] as const;

export type ToWorker =
  | { t: 'start'; options: WorkerRunOptions; tickMs: number; metrics: boolean }
  | { t: 'inbound'; items: number[] }
  | { t: 'stop' };

export interface WorkerTick {
  t: 'tick';
  /** The worker's shard file so far (JSON text, agent/load/shard-file.ts). */
  shard: string;
  /** Requests, errors, dropped sends and largest lag since the previous tick. */
  window: { requests: number; errors: number; dropped: number; lagMaxUs: number };
  states: Record<string, number>;
  rss: number;
  idleSockets: number;
  /** prom-client getMetricsAsJSON() of the worker's registry (when the parent serves metrics). */
  metrics?: unknown[];
}

export type FromWorker =
  | { t: 'ready'; agents: number; keys: { path: string | null; generated: number } }
  | WorkerTick
  | { t: 'final'; shard: string; rss: number }
  | { t: 'error'; message: string };
