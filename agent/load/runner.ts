// Starts one simulator process: the key pool, the fleet engine for this shard's slice, the fleet's
// inbound listeners (one TCP tickle listener, one UDP wake socket), optional Prometheus metrics; and
// stops it again, returning the statistics for the report. Never prints: progress.ts does.
import type { Server } from 'node:http';
import { FleetIdentities } from '../fleet/identity.js';
import { sliceOf, type Shard } from '../fleet/shard.js';
import { FleetEngine } from '../lifecycle/fleet-engine.js';
import { KeyPool } from '../lifecycle/key-pool.js';
import { InboundCounters } from '../listen/inbound.js';
import { listenFleetInbound, type FleetInboundOptions } from '../listen/fleet-inbound.js';
import { PackageMulticast, type PackageMulticastOptions } from '../lifecycle/package-multicast.js';
import { fleetMetrics } from './metrics.js';
import { serveMetrics } from './metrics-server.js';
import { LoadStats } from './stats.js';
import { resolveHeapMode, useLeanHeap, type HeapMode } from './heap-mode.js';

export interface FleetRunOptions extends FleetInboundOptions {
  readonly ns: string;
  readonly seed: string;
  readonly count: number;
  readonly ipBase: string;
  readonly shard: Shard;
  readonly trustedServer: string;
  /** No inbound listeners (a shard whose parent listens, or a pure load run). */
  readonly noListen?: boolean;
  readonly ca?: string | Buffer;
  readonly insecure?: boolean;
  readonly stateDir: string | null;
  readonly keyPool: number;
  readonly intervalMs?: number;
  readonly accelerate: number;
  readonly jitter: number;
  readonly rampMs: number;
  readonly concurrency: number;
  readonly sourceAddress: boolean;
  readonly install: boolean;
  /** Software delivery (default true); false for pure check-in load. */
  readonly delivery?: boolean;
  readonly asleep: number;
  readonly rate?: number;
  /** Registrations per second at most, for this process. */
  readonly registrationRate?: number;
  /** Idle keep-alive sockets kept open at most, for this process (default 1000). */
  readonly idleSockets?: number;
  readonly requestTimeoutMs: number;
  /** V8 heap policy of this process (agent/load/heap-mode.ts); default auto. */
  readonly heap?: HeapMode;
  readonly metricsPort?: number;
  readonly metricsHost?: string;
  /** Package multicast on this process's own socket (one per process, workers included); off when absent or delivery is off. */
  readonly packageMulticast?: PackageMulticastOptions;
}

export interface RunningFleet {
  readonly engine: FleetEngine;
  readonly stats: LoadStats;
  readonly inbound: InboundCounters;
  readonly ids: FleetIdentities;
  readonly slice: { start: number; end: number };
  readonly ticklePort: number | null;
  readonly wakePort: number | null;
  readonly metricsPort: number | null;
  /** The package multicast socket's port, or null when package multicast is off. */
  readonly packageMulticastPort: number | null;
  readonly keys: KeyPool;
  /** Stops listeners and the engine; the stats are final afterwards. */
  stop(): Promise<LoadStats>;
}

export async function startFleet(o: FleetRunOptions): Promise<RunningFleet> {
  const ids = new FleetIdentities({ seed: o.seed, ipBase: o.ipBase });
  const slice = sliceOf(Math.min(o.count, ids.capacity), o.shard);
  if (resolveHeapMode(o.heap ?? 'auto', slice.end - slice.start) === 'lean') useLeanHeap();
  const keys = await KeyPool.open(o.seed, o.keyPool, o.stateDir);
  const stats = new LoadStats();
  stats.agents = slice.end - slice.start;
  const engine = new FleetEngine({
    ids, start: slice.start, end: slice.end, ns: o.ns, ...(o.ca ? { ca: o.ca } : {}), insecure: o.insecure ?? false,
    trustedServer: o.trustedServer, keys, stats, ...(o.intervalMs !== undefined ? { intervalMs: o.intervalMs } : {}),
    accelerate: o.accelerate, jitter: o.jitter, rampMs: o.rampMs, concurrency: o.concurrency, sourceAddress: o.sourceAddress,
    install: o.install, delivery: o.delivery ?? true, asleep: o.asleep, requestTimeoutMs: o.requestTimeoutMs, ...(o.rate ? { rate: o.rate } : {}),
    ...(o.registrationRate ? { registrationRate: o.registrationRate } : {}), ...(o.idleSockets !== undefined ? { idleSockets: o.idleSockets } : {}),
  });
  const inbound = new InboundCounters();
  const closers: Array<() => Promise<void>> = [];
  let ticklePort: number | null = null;
  let wakePort: number | null = null;
  let metricsPort: number | null = null;
  let pm: PackageMulticast | null = null;
  try {
    if (o.packageMulticast && (o.delivery ?? true)) {
      const m = new PackageMulticast(o.packageMulticast);
      await m.listen();
      pm = m;
      engine.packageMulticast = m;
    }
    if (!o.noListen) {
      const listeners = await listenFleetInbound(o, engine, inbound);
      ({ wakePort, ticklePort } = listeners);
      closers.push(() => listeners.close());
    }
    if (o.metricsPort !== undefined) {
      const m = await serveMetrics(fleetMetrics({ stats, inbound, states: () => engine.states(), ...(pm ? { packages: pm.counters } : {}) }),
        o.metricsHost ?? '127.0.0.1', o.metricsPort);
      metricsPort = m.port;
      const server: Server = m.server;
      closers.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    }
  } catch (err) {
    for (const c of closers.reverse()) await c();
    await pm?.close();
    throw err;
  }
  engine.start();
  let stopped: Promise<LoadStats> | null = null;
  return {
    engine, stats, inbound, ids, slice, ticklePort, wakePort, metricsPort, keys, packageMulticastPort: pm?.port ?? null,
    stop() {
      stopped ??= (async () => {
        await pm?.close(); // ends every multicast wait first, so the engine's requests can finish
        await engine.stop();
        for (const c of closers.reverse()) await c();
        stats.endedAt = Date.now();
        stats.inbound = { received: { ...inbound.received }, acted: { ...inbound.acted }, dropped: { ...inbound.dropped } };
        return stats;
      })();
      return stopped;
    },
  };
}
