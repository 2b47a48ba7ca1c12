// createTaskServerCluster: one Task Server as a primary and N worker processes (node:cluster,
// round-robin). Workers share the HTTP(S) and 50124 listening sockets and hold the agent links; the
// primary holds what exists once per TS (TsCore: registry and cap, which worker holds each agent,
// the one 50123 link, job fetches, status reports, 50121/50122) and answers the workers over IPC.
// A crashed worker is logged and replaced; never kills a process it did not fork.
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry } from 'prom-client';
import { smpError } from '../../shared/errors.js';
import type { ClientRecord } from './client-registry.js';
import { errorData, errorReply, taskToWire, type HelloItem, type HelloOutcome, type ReplyValues, type ToPrimary, type ToWorker, type WorkerRequest, type WorkerStart } from './cluster-messages.js';
import { known } from './http-routes.js';
import type { TaskServerOptions } from './options.js';
import { portOf, type TaskServerHandle } from './task-server.js';
import { TsCore, type AgentFacing } from './ts-core.js';

const WORKER_FILE = fileURLToPath(new URL('./cluster-worker.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const METRICS_TIMEOUT_MS = 2_000;
/** Restart delay after a crash: doubles per crash within a minute, at most 30 s. */
const RESTART_MS = 500;

export interface TaskServerClusterOptions extends TaskServerOptions {
  readonly workers: number;
  /** Workers log here (a logger object cannot cross processes). */
  readonly workerLog: { readonly level: string; readonly file?: string };
}

interface StartPorts {
  readonly http: number;
  readonly https: number | null;
  readonly channel: number;
}

export interface TaskServerCluster extends TaskServerHandle {
  readonly core: TsCore;
  /** Worker ids and the agent links each holds (from the primary's registry). */
  spread(): Map<number, number>;
}

export function createTaskServerCluster(opts: TaskServerClusterOptions): TaskServerCluster {
  if (!cluster.isPrimary) throw smpError('CONFIG', 'a task server cluster is started from a primary process');
  if (!Number.isInteger(opts.workers) || opts.workers < 1) throw smpError('CONFIG', `workers: ${opts.workers}; at least 1`);
  const live = new Map<number, Worker>();
  /** Workers that have loaded (a message sent before that is lost) and those serving. */
  const loaded = new Set<number>();
  const serving = new Set<number>();
  const core: TsCore = new TsCore(opts, {
    tickle: (recs, version) => tickle(recs, version),
    tasksAdded: (tasks) => broadcast({ t: 'tasks', tasks: tasks.map(taskToWire) }),
    settingsChanged: (settings, pollIntervalMs) => broadcast({ t: 'settings', settings, pollIntervalMs }),
  });
  const { log, registry, metrics } = core;
  let stopping = false;
  let facing: AgentFacing | null = null;
  let startPorts: StartPorts | null = null;
  const crashes: number[] = [];
  let metricsSeq = 0;
  const metricsWaits = new Map<number, (json: unknown) => void>();

  /** Agent links per live worker, from the registry (which worker holds each agent). */
  function linkCounts(): Map<number, number> {
    const out = new Map<number, number>([...serving].map((id) => [id, 0]));
    for (const rec of registry.linkedTo(undefined, true)) {
      const id = rec.link as number;
      out.set(id, (out.get(id) ?? 0) + 1);
    }
    return out;
  }

  /** To every worker that has loaded; one still loading gets the current state in its start message. */
  function broadcast(m: ToWorker): void {
    for (const w of live.values()) if (loaded.has(w.id)) post(w, m);
  }

  /** Sends to a worker unless its channel is gone (its exit handler cleans up). */
  function post(w: Worker | undefined, m: ToWorker): void {
    if (w !== undefined && w.isConnected()) w.send(m, undefined, (err) => err && log.debug({ worker: w.id, err: err.message }, 'IPC send failed'));
  }

  function tickle(recs: readonly ClientRecord[], version: number): void {
    const byWorker = new Map<number, string[]>();
    for (const rec of recs) {
      if (typeof rec.link !== 'number') {
        metrics.tickles.inc({ outcome: 'not-connected' });
        continue;
      }
      const list = byWorker.get(rec.link);
      if (list === undefined) byWorker.set(rec.link, [rec.guid]);
      else list.push(rec.guid);
    }
    for (const [id, guids] of byWorker) post(live.get(id), { t: 'tickle', version, guids });
  }

  function answer(w: Worker, m: WorkerRequest): ReplyValues[WorkerRequest['op']] | Promise<ReplyValues['metrics']> {
    switch (m.op) {
      case 'register':
        registry.register(m.guid, m.name, m.addresses);
        metrics.registered.set(registry.size);
        return null;
      case 'hellos':
        return m.items.map((item): HelloOutcome => {
          try {
            return { ok: true, pending: hello(w, item) };
          } catch (err) {
            return { ok: false, ...errorData(err) };
          }
        });
      case 'known':
        known(registry, m.guid);
        return null;
      case 'pending':
        return [...(known(registry, m.guid).pending ?? [])];
      case 'status':
        core.onStatus(known(registry, m.guid), m.status);
        return null;
      case 'counts':
        return core.counts();
      case 'server-status':
        return { ...core.statusFields(), workers: serving.size, workerLinks: [...linkCounts()].map(([id, n]) => `${id}:${n}`).join(',') };
      case 'metrics':
        return clusterMetrics();
    }
  }

  /** Admits a 50124 hello taken by worker `w`: registers (cap), replaces a link in another worker. */
  function hello(w: Worker, item: HelloItem): boolean {
    const rec = registry.register(item.guid, item.name, item.address ? [item.address] : []);
    metrics.registered.set(registry.size);
    if (typeof rec.link === 'number' && rec.link !== w.id) post(live.get(rec.link), { t: 'drop', guid: rec.guid });
    registry.setLink(rec, w.id);
    return rec.pending !== null;
  }

  async function clusterMetrics(): Promise<ReplyValues['metrics']> {
    const parts = await Promise.all([...live.values()].map((w) => new Promise<unknown>((resolve) => {
      const id = ++metricsSeq;
      const timer = setTimeout(() => { metricsWaits.delete(id); resolve(null); }, METRICS_TIMEOUT_MS);
      metricsWaits.set(id, (json) => { clearTimeout(timer); resolve(json); });
      post(w, { t: 'metrics-req', id });
    })));
    const all = [await metrics.registry.getMetricsAsJSON(), ...parts.filter((p) => p !== null)] as object[];
    const agg = AggregatorRegistry.aggregate(all);
    return { contentType: agg.contentType, text: await agg.metrics() };
  }

  function onMessage(w: Worker, m: ToPrimary): void {
    if (m.t === 'req') {
      Promise.resolve().then(() => answer(w, m)).then(
        (value) => post(w, { t: 'res', id: m.id, ok: true, value }),
        (err: unknown) => post(w, errorReply(m.id, err)),
      );
    } else if (m.t === 'unlinked') {
      for (const g of m.guids) {
        const rec = registry.get(g);
        if (rec !== undefined && rec.link === w.id) registry.setLink(rec, null);
      }
    } else if (m.t === 'metrics-res') {
      metricsWaits.get(m.id)?.(m.json);
      metricsWaits.delete(m.id);
    }
  }

  /** Built when the worker has loaded, so it carries the task table and settings of that moment. */
  function workerStart(ports: StartPorts): WorkerStart {
    return {
      guid: core.guid, name: core.name, bind: opts.bind ?? '0.0.0.0', httpPort: ports.http, httpsPort: ports.https, channelPort: ports.channel,
      tls: opts.tls ? { cert: opts.tls.cert.toString(), key: opts.tls.key.toString() } : null,
      settings: core.settings, pollIntervalMs: core.pollIntervalMs, tasks: [...registry.allTasks()].map(taskToWire), log: opts.workerLog,
    };
  }

  /** Forks one worker and resolves with what it bound (rejects if it cannot start). */
  function fork(ports: StartPorts): Promise<AgentFacing> {
    cluster.setupPrimary({ exec: WORKER_FILE, args: [], silent: false });
    const w = cluster.fork();
    live.set(w.id, w);
    w.on('message', (m: ToPrimary) => onMessage(w, m));
    w.on('error', (err) => log.warn({ worker: w.id, err: err.message }, 'task server worker IPC error'));
    w.on('exit', (code, signal) => onExit(w, code, signal));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(smpError('TIMEOUT', `task server worker ${w.id} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      const on = (m: ToPrimary): void => {
        if (m.t === 'loaded') {
          loaded.add(w.id);
          return post(w, stopping ? { t: 'stop' } : { t: 'start', start: workerStart(ports) });
        }
        if (m.t === 'ready') serving.add(w.id);
        if (m.t === 'ready') resolve({ http: m.http, https: m.https, channel: m.channel });
        else if (m.t === 'start-failed') reject(smpError('BIND', `task server worker ${w.id} could not start: ${m.message}`));
        else return;
        clearTimeout(timer);
        w.off('message', on);
      };
      w.on('message', on);
      w.once('exit', () => reject(smpError('INTERNAL', `task server worker ${w.id} exited while starting`)));
    });
  }

  function onExit(w: Worker, code: number | null, signal: string | null): void {
    live.delete(w.id);
    loaded.delete(w.id);
    serving.delete(w.id);
    const lost = registry.linkedTo(w.id);
    for (const rec of lost) registry.setLink(rec, null);
    if (stopping) return;
    const now = Date.now();
    crashes.push(now);
    while (crashes.length > 0 && now - crashes[0]! > 60_000) crashes.shift();
    const delay = Math.min(30_000, RESTART_MS * 2 ** (crashes.length - 1));
    log.error({ worker: w.id, pid: w.process.pid, code, signal, agentsLost: lost.length, restartInMs: delay },
      'task server worker exited; its agents reconnect after their reconnect delay; starting a replacement');
    setTimeout(() => {
      if (stopping || startPorts === null) return;
      fork(startPorts).then(
        (f) => {
          if (f.channel.port !== facing?.channel.port) log.error({ channel: f.channel.port }, 'replacement worker bound another 50124 port (every worker had exited)');
          else log.info({ channel: f.channel.port }, 'replacement task server worker ready');
        },
        (err: unknown) => log.error({ err: (err as Error).message }, 'replacement task server worker failed'),
      );
    }, delay).unref();
  }

  async function close(): Promise<void> {
    stopping = true;
    await Promise.all([...live.values()].map((w) => new Promise<void>((resolve) => {
      if (w.process.exitCode !== null || !w.isConnected()) return resolve();
      const timer = setTimeout(() => w.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
      w.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      // One still loading gets its stop when it says it has loaded.
      if (loaded.has(w.id)) post(w, { t: 'stop' });
    })));
    await core.close();
  }

  return {
    guid: core.guid, name: core.name, core, close,
    nsLinkUp: () => core.link.up,
    spread: linkCounts,
    async listen() {
      const first: StartPorts = {
        http: portOf(opts, opts.httpPort, 'ts-http'), https: opts.tls ? portOf(opts, opts.httpsPort, 'ts-https') : null,
        channel: portOf(opts, opts.channelPort, 'ts-agent-channel'),
      };
      // Every worker asks for the same ports (port 0 included): node:cluster hands them one shared
      // listening socket per (address, port, order of listen), bound once by this primary.
      let one: AgentFacing;
      let rest: AgentFacing[];
      try {
        one = await fork(first);
        rest = await Promise.all(Array.from({ length: opts.workers - 1 }, () => fork(first)));
      } catch (err) {
        await close();
        throw err;
      }
      for (const r of rest) {
        if (r.channel.port !== one.channel.port || r.http.port !== one.http.port) throw smpError('INTERNAL', 'task server workers bound different ports');
      }
      facing = one;
      startPorts = first;
      const remoting = await core.listenRemoting((flow) => portOf(opts, undefined, flow)).catch(async (err: unknown) => {
        await close();
        throw err;
      });
      core.start(one);
      log.info({ workers: live.size, channel: one.channel.port, http: one.http.port }, 'task server workers ready');
      return { ...one, remoting };
    },
  };
}
