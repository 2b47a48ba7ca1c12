// A Task Server worker process (node:cluster): it shares the primary's HTTP(S) and 50124 listening
// sockets, holds the agent links it accepts and answers the ClientTaskServer pages, asking the
// primary for everything that is per-TS (registration and cap, work lists, statuses, counts).
// Never talks to the NS and never binds 50121/50122. Started only by cluster-primary.ts.
import cluster from 'node:cluster';
import { smpError } from '../../shared/errors.js';
import { createLogger, type Logger } from '../../shared/log.js';
import { AgentChannelServer, type HelloGate } from './agent-channel.js';
import { ClientRegistry, type TsTask } from './client-registry.js';
import {
  errorFromReply, taskFromWire, type HelloItem, type ReplyValues, type RequestOp, type ToPrimary, type ToWorker, type WorkerRequest, type WorkerStart,
} from './cluster-messages.js';
import { registerTsPages, type TsPageBackend } from './http-routes.js';
import { createTsMetrics } from './metrics.js';
import { RejectLog } from './reject-log.js';
import { listenApp, makeApp } from './task-server.js';

const CALL_TIMEOUT_MS = 10_000;
type Args<K extends RequestOp> = Omit<Extract<WorkerRequest, { op: K }>, 't' | 'id' | 'op'>;

/** Request/reply over the IPC channel to the primary, with a deadline per call. */
class PrimaryCalls {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  call<K extends RequestOp>(op: K, args: Args<K>): Promise<ReplyValues[K]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(smpError('TIMEOUT', `task server primary did not answer ${op} within ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      send({ t: 'req', id, op, ...args } as WorkerRequest);
    });
  }

  settle(m: Extract<ToWorker, { t: 'res' }>): void {
    const w = this.waiting.get(m.id);
    if (w === undefined) return;
    this.waiting.delete(m.id);
    clearTimeout(w.timer);
    if (m.ok) w.resolve(m.value);
    else w.reject(errorFromReply(m));
  }
}

/** Hellos of one event-loop turn go to the primary in one request (a reconnect storm is one message per turn). */
class HelloBatch {
  private batch: { item: HelloItem; resolve: (pending: boolean) => void; reject: (e: Error) => void }[] = [];

  constructor(private readonly calls: PrimaryCalls) {}

  admit(item: HelloItem): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (this.batch.length === 0) setImmediate(() => this.flush());
      this.batch.push({ item, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.batch;
    this.batch = [];
    this.calls.call('hellos', { items: batch.map((b) => b.item) }).then((outcomes) => batch.forEach((b, i) => {
      const o = outcomes[i];
      if (o === undefined) b.reject(smpError('INTERNAL', 'the primary did not answer this hello'));
      else if (o.ok) b.resolve(o.pending);
      else b.reject(errorFromReply(o));
    }), (err: Error) => batch.forEach((b) => b.reject(err)));
  }
}

function send(m: ToPrimary): void {
  if (process.connected) process.send?.(m);
}

async function runWorker(start: WorkerStart): Promise<void> {
  const log: Logger = createLogger({ level: start.log.level, name: 'ts', ...(start.log.file ? { file: start.log.file } : {}) })
    .child({ worker: cluster.worker?.id });
  const metrics = createTsMetrics();
  const rejects = new RejectLog(log, metrics);
  const calls = new PrimaryCalls();
  const hellos = new HelloBatch(calls);
  const tasks = new Map<string, TsTask>(start.tasks.map((t) => [t.id, taskFromWire(t)]));
  // Local records only for the links this worker holds; the cap is enforced by the primary.
  const links = new ClientRegistry(Number.MAX_SAFE_INTEGER);
  let settings = start.settings;
  let pollIntervalMs = start.pollIntervalMs;
  let gone: string[] = [];
  const gate: HelloGate = {
    admit: (guid, name, address) => hellos.admit({ guid, name, address: address ?? null }),
    unlinked(guid) {
      if (gone.length === 0) setImmediate(() => { send({ t: 'unlinked', guids: gone }); gone = []; });
      gone.push(guid);
    },
  };
  const channel = new AgentChannelServer(settings, links, metrics, rejects, log, gate);
  let channelPort = 0;
  const pages: TsPageBackend = {
    metrics,
    identity: () => ({ guid: start.guid, name: start.name, channelPort, keepAliveMs: settings.keepAliveMs, pollIntervalMs }),
    register: async (guid, name, addresses) => void (await calls.call('register', { guid, name, addresses })),
    known: async (guid) => void (await calls.call('known', { guid })),
    pendingTasks: async (guid) => (await calls.call('pending', { guid })).map((id) => tasks.get(id)).filter((t): t is TsTask => t !== undefined),
    task: (id) => tasks.get(id),
    postStatus: async (guid, status) => void (await calls.call('status', { guid, status })),
    counts: () => calls.call('counts', {}),
    status: () => calls.call('server-status', {}),
  };
  const metricsText = (): Promise<{ contentType: string; text: string }> => calls.call('metrics', {});
  const app = makeApp(log, metrics, undefined, metricsText);
  const httpsApp = start.tls ? makeApp(log, metrics, start.tls, metricsText) : null;

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await channel.close();
    await app.close();
    if (httpsApp) await httpsApp.close();
    process.exit(0);
  };
  process.on('message', (m: ToWorker) => {
    switch (m.t) {
      case 'res': return calls.settle(m);
      case 'tasks': for (const t of m.tasks) tasks.set(t.id, taskFromWire(t)); return;
      case 'tickle':
        for (const g of m.guids) {
          const rec = links.get(g);
          if (rec !== undefined) channel.tickle(rec, m.version);
        }
        return;
      case 'drop': return channel.dropReplaced(m.guid);
      case 'settings':
        settings = m.settings;
        pollIntervalMs = m.pollIntervalMs;
        return channel.updateSettings(settings);
      case 'metrics-req':
        void metrics.registry.getMetricsAsJSON().then((json) => send({ t: 'metrics-res', id: m.id, json }));
        return;
      case 'stop': return void stop();
      case 'start': return;
    }
  });
  process.on('disconnect', () => void stop());

  // The handlers above are in place before the first await: tasks sent meanwhile are not lost.
  await registerTsPages(app, pages);
  if (httpsApp) await registerTsPages(httpsApp, pages);

  const http = await listenApp(app, start.httpPort, start.bind);
  const https = httpsApp ? await listenApp(httpsApp, start.httpsPort ?? 0, start.bind) : null;
  const ch = await channel.listen(start.channelPort, start.bind);
  channelPort = ch.port;
  send({ t: 'ready', http, https, channel: ch });
}

if (cluster.isWorker) {
  // Ctrl-C reaches every process of the terminal's group: the primary stops the workers in order.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
  const onStart = (m: ToWorker): void => {
    if (m.t === 'stop') process.exit(0);
    if (m.t !== 'start') return;
    process.off('message', onStart);
    runWorker(m.start).catch((err: unknown) => {
      send({ t: 'start-failed', message: (err as Error).message });
      process.exitCode = 1;
      process.disconnect();
    });
  };
  process.on('message', onStart);
  // Messages sent before this module finished loading are lost: ask for the start data now.
  send({ t: 'loaded' });
}
