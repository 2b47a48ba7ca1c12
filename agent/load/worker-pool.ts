// A fleet spread over worker processes (past one process's descriptor limit, or on request): each
// worker runs a disjoint shard of the same fleet (shard i of n split again, so identities are the same
// as one process would make); the parent owns the tickle/wake listeners, merges the workers' shard
// files into one recorder and their Prometheus registries into one. A worker that dies is a failure
// the caller hears of at once, never a hang. It never prints.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import { FleetIdentities } from '../fleet/identity.js';
import { sliceOf, type FleetSlice, type Shard } from '../fleet/shard.js';
import { KeyPool } from '../lifecycle/key-pool.js';
import { InboundCounters } from '../listen/inbound.js';
import { listenFleetInbound } from '../listen/fleet-inbound.js';
import { startMetricsServer, type MetricsServer, type MetricsSource } from './metrics-server.js';
import type { FleetRunOptions } from './runner.js';
import { mergeShards } from './shard-file.js';
import { LoadStats, type LoadWindow } from './stats.js';
import { InboundRouter } from './worker-inbound.js';
import type { FromWorker, ToWorker, WorkerRunOptions, WorkerTick } from './worker-messages.js';

const WORKER = fileURLToPath(new URL('./fleet-worker.js', import.meta.url));

export interface WorkerFailure {
  readonly worker: number;
  readonly slice: FleetSlice;
  readonly code: number | null;
  readonly signal: string | null;
  readonly message?: string;
}

export interface WorkerFleetOptions {
  readonly run: FleetRunOptions;
  readonly workers: number;
  /** Ms between worker ticks (live output and metrics freshness). */
  readonly tickMs?: number;
  /** Called once per worker that dies or fails before it was asked to stop. */
  readonly onFailure?: (f: WorkerFailure) => void;
}

interface Worker {
  readonly child: ChildProcess;
  readonly slice: FleetSlice;
  tick: WorkerTick | null;
  final: string | null;
  exited: Promise<void>;
  failed: WorkerFailure | null;
}

export interface WorkerFleet {
  readonly workers: number;
  readonly ids: FleetIdentities;
  readonly slice: FleetSlice;
  readonly ticklePort: number | null;
  readonly wakePort: number | null;
  readonly metricsPort: number | null;
  readonly keys: { path: string | null; generated: number };
  readonly inbound: InboundCounters;
  readonly failures: readonly WorkerFailure[];
  /** Agents by state, summed over the workers' last ticks. */
  states(): Record<string, number>;
  /** One recorder holding every worker's requests so far (rebuilt when a tick arrived). */
  merged(): LoadStats;
  /** What happened since the previous call, summed over workers. */
  takeWindow(): LoadWindow;
  /** Resident memory of the worker processes (last tick) and of this process, bytes. */
  rss(): { workers: number; parent: number };
  /** Stops every worker and the listeners; the recorder is final and carries the inbound counts. */
  stop(): Promise<LoadStats>;
}

/** Worker w's shard: shard i of n is split again into n*W shards, so slices nest exactly. */
export const workerShard = (s: Shard, w: number, workers: number): Shard => ({ index: s.index * workers + w, count: s.count * workers });

export async function startWorkerFleet(o: WorkerFleetOptions): Promise<WorkerFleet> {
  const r = o.run;
  const ids = new FleetIdentities({ seed: r.seed, ipBase: r.ipBase });
  const total = Math.min(r.count, ids.capacity);
  const slice = sliceOf(total, r.shard);
  const W = Math.max(1, Math.min(o.workers, slice.end - slice.start));
  // The key pool is made (or read) once here, so workers load the same keys instead of racing to make them.
  const keys = await KeyPool.open(r.seed, r.keyPool, r.stateDir);
  const inbound = new InboundCounters();
  const failures: WorkerFailure[] = [];
  const workers: Worker[] = [];
  const closers: Array<() => Promise<void>> = [];
  const base: WorkerRunOptions = {
    ns: r.ns, seed: r.seed, count: r.count, ipBase: r.ipBase, shard: r.shard, trustedServer: r.trustedServer, tickleHost: r.tickleHost,
    ticklePort: r.ticklePort, wakePort: r.wakePort, wakeGroup: r.wakeGroup, interfaceAddress: r.interfaceAddress, noListen: true,
    ...(r.ca ? { ca: r.ca.toString() } : {}), insecure: r.insecure ?? false, stateDir: r.stateDir, keyPool: r.keyPool,
    ...(r.intervalMs !== undefined ? { intervalMs: r.intervalMs } : {}), accelerate: r.accelerate, jitter: r.jitter, rampMs: r.rampMs,
    concurrency: r.concurrency, sourceAddress: r.sourceAddress, install: r.install, delivery: r.delivery ?? true, asleep: r.asleep, requestTimeoutMs: r.requestTimeoutMs,
    ...(r.rate ? { rate: r.rate / W } : {}), ...(r.registrationRate ? { registrationRate: r.registrationRate / W } : {}),
    ...(r.idleSockets !== undefined ? { idleSockets: r.idleSockets } : {}), ...(r.heap ? { heap: r.heap } : {}),
    // Each worker is a fleet process with its own package multicast socket (same port, shared by reuse).
    ...(r.packageMulticast ? { packageMulticast: r.packageMulticast } : {}),
  };
  const send = (w: Worker, m: ToWorker): void => { if (w.child.connected) w.child.send(m); };
  const fail = (w: Worker, i: number, f: Omit<WorkerFailure, 'worker' | 'slice'>): void => {
    if (w.failed) return;
    w.failed = { worker: i, slice: w.slice, ...f };
    failures.push(w.failed);
    o.onFailure?.(w.failed);
  };
  let readyCount = 0;
  let win: LoadWindow = { requests: 0, errors: 0, dropped: 0, lagMaxUs: 0, ms: 0 };
  const allReady = new Promise<void>((resolve, reject) => {
    for (let i = 0; i < W; i++) {
      const shard = workerShard(r.shard, i, W);
      const child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [], serialization: 'json' });
      const w: Worker = { child, slice: sliceOf(total, shard), tick: null, final: null, failed: null,
        exited: new Promise((res) => child.once('exit', () => res())) };
      workers.push(w);
      child.on('message', (raw: unknown) => {
        const m = raw as FromWorker;
        if (m.t === 'ready' && ++readyCount === W) resolve();
        else if (m.t === 'tick') {
          w.tick = m;
          win.requests += m.window.requests;
          win.errors += m.window.errors;
          win.dropped += m.window.dropped;
          win.lagMaxUs = Math.max(win.lagMaxUs, m.window.lagMaxUs);
        }
        else if (m.t === 'final') w.final = m.shard;
        else if (m.t === 'error') fail(w, i, { code: null, signal: null, message: m.message });
      });
      child.once('exit', (code, signal) => {
        if (w.final === null || code !== 0) fail(w, i, { code, signal, ...(w.failed?.message ? { message: w.failed.message } : {}) });
        if (readyCount < W) reject(new Error(`fleet worker ${i} exited before it was ready${w.failed?.message ? `: ${w.failed.message}` : ''}`));
      });
      child.on('error', () => {});
      send(w, { t: 'start', options: { ...base, shard }, tickMs: o.tickMs ?? 1000, metrics: r.metricsPort !== undefined });
    }
  });
  const killAll = async (): Promise<void> => {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
  };
  try {
    await allReady;
  } catch (err) {
    await killAll();
    throw err;
  }
  let ticklePort: number | null = null;
  let wakePort: number | null = null;
  let metrics: MetricsServer | null = null;
  try {
    if (!r.noListen) {
      const router = new InboundRouter({ ids, slice, workers: workers.map((w) => w.slice), trustedServer: r.trustedServer, asleep: r.asleep,
        deliver: (i, items) => send(workers[i]!, { t: 'inbound', items }) });
      const listeners = await listenFleetInbound(r, router, inbound);
      ({ wakePort, ticklePort } = listeners);
      closers.push(() => listeners.close());
    }
    if (r.metricsPort !== undefined) {
      metrics = await startMetricsServer({ port: r.metricsPort, host: r.metricsHost ?? '127.0.0.1',
        registry: mergedRegistry(() => workers.map((w) => w.tick?.metrics), inbound, () => workers.map((w) => (w.failed ? 'failed' : 'running'))) });
      closers.push(() => metrics!.close());
    }
  } catch (err) {
    for (const c of closers.reverse()) await c();
    await killAll();
    throw err;
  }

  let cache: { stats: LoadStats; ticks: Array<WorkerTick | null> } | null = null;
  const merged = (): LoadStats => {
    const ticks = workers.map((w) => w.tick);
    if (cache && ticks.every((t, i) => t === cache!.ticks[i])) return cache.stats;
    cache?.stats.dispose();
    const stats = mergeShards(ticks.flatMap((t, i) => (t ? [{ name: `worker ${i}`, text: t.shard }] : [])), Date.now);
    stats.agents = slice.end - slice.start;
    cache = { stats, ticks };
    return stats;
  };
  let winStart = Date.now();
  let stopped: Promise<LoadStats> | null = null;
  return {
    workers: W, ids, slice, ticklePort, wakePort, metricsPort: metrics?.port ?? null, keys: { path: keys.path, generated: keys.generated }, inbound,
    failures,
    states() {
      const s: Record<string, number> = {};
      for (const w of workers) for (const [k, v] of Object.entries(w.tick?.states ?? {})) s[k] = (s[k] ?? 0) + v;
      return s;
    },
    merged,
    takeWindow() {
      const now = Date.now();
      const w = { ...win, ms: now - winStart };
      win = { requests: 0, errors: 0, dropped: 0, lagMaxUs: 0, ms: 0 };
      winStart = now;
      return w;
    },
    rss: () => ({ workers: workers.reduce((a, w) => a + (w.tick?.rss ?? 0), 0), parent: process.memoryUsage.rss() }),
    stop() {
      stopped ??= (async () => {
        for (const w of workers) send(w, { t: 'stop' });
        const deadline = setTimeout(() => { for (const w of workers) if (w.final === null) w.child.kill('SIGKILL'); }, 15_000 + r.requestTimeoutMs);
        await Promise.all(workers.map((w) => w.exited));
        clearTimeout(deadline);
        for (const c of closers.reverse()) await c();
        cache?.stats.dispose();
        cache = null;
        // A worker that died still counts with what it reported in its last tick.
        const stats = mergeShards(workers.flatMap((w, i) => {
          const text = w.final ?? w.tick?.shard;
          return text ? [{ name: `worker ${i}`, text }] : [];
        }));
        stats.agents = slice.end - slice.start;
        stats.inbound = { received: { ...inbound.received }, acted: { ...inbound.acted }, dropped: { ...inbound.dropped } };
        return stats;
      })();
      return stopped;
    },
  };
}

/** The parent's metrics: the workers' registries aggregated (prom-client's cluster aggregation), then inbound counts and workers by state. */
function mergedRegistry(latest: () => Array<unknown[] | undefined>, inbound: InboundCounters, states: () => string[]): MetricsSource {
  const own = new Registry();
  new Counter({ name: 'smp_agent_inbound_total', help: 'Tickles and wakes by kind (tcp, multicast, magic, relay) and result (received, acted)',
    labelNames: ['kind', 'result'], registers: [own],
    collect() {
      this.reset();
      for (const [kind, n] of Object.entries(inbound.received)) if (n) this.inc({ kind, result: 'received' }, n);
      for (const [kind, n] of Object.entries(inbound.acted)) if (n) this.inc({ kind, result: 'acted' }, n);
    } });
  new Counter({ name: 'smp_agent_inbound_dropped_total', help: 'Tickles and wakes dropped, by reason', labelNames: ['reason'], registers: [own],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(inbound.dropped)) if (n) this.inc({ reason }, n);
    } });
  new Gauge({ name: 'smp_agent_workers', help: 'Fleet worker processes by state', labelNames: ['state'], registers: [own],
    collect() {
      const s = states();
      for (const state of ['running', 'failed']) this.set({ state }, s.filter((x) => x === state).length);
    } });
  return {
    contentType: own.contentType,
    async metrics() {
      const parts = latest().filter((m): m is unknown[] => m !== undefined);
      const workersText = parts.length ? await AggregatorRegistry.aggregate(parts as never[]).metrics() : '';
      return `${workersText}${workersText && !workersText.endsWith('\n') ? '\n' : ''}${await own.metrics()}`;
    },
  };
}
