// createTaskServer: one Task Server instance: its pages (HTTP, optional HTTPS), the 50124 agent
// channel, the loopback remoting ports and its link to the NS (registration, 50123 tickles, job
// fetch, status reports). Wires the parts; holds no protocol logic of its own.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { fastify, LogController, type FastifyInstance } from 'fastify';
import { smpError } from '../../shared/errors.js';
import { createLogger, type Logger } from '../../shared/log.js';
import { normalizeGuid } from '../../shared/protocol/guid-bytes.js';
import { escapeXml, type StatusDoc } from '../../shared/protocol/task-xml.js';
import { AgentChannelServer } from './agent-channel.js';
import { ClientRegistry, type ClientRecord, type TsTask } from './client-registry.js';
import { registerTsPages } from './http-routes.js';
import { createTsMetrics, type TsMetrics } from './metrics.js';
import { hostOf, NsClient } from './ns-client.js';
import { NsLink } from './ns-link.js';
import { channelSettings, TS_DEFAULTS, type TaskServerOptions } from './options.js';
import { RejectLog } from './reject-log.js';
import { createRemotingServer, listenLoopback } from './remoting.js';
import { StatusReporter } from './status-reporter.js';

export interface TsAddresses {
  readonly http: { address: string; port: number };
  readonly https: { address: string; port: number } | null;
  readonly channel: { address: string; port: number };
  readonly remoting: readonly [number, number];
}

export interface TaskServer {
  readonly guid: string;
  readonly name: string;
  readonly registry: ClientRegistry;
  readonly metrics: TsMetrics;
  readonly channel: AgentChannelServer;
  listen(): Promise<TsAddresses>;
  close(): Promise<void>;
  /** True once the NS accepted our registration and the 50123 link is up. */
  nsLinkUp(): boolean;
}

const REREGISTER_MS = 15_000;
/** Delay before a grown client count is reported to the NS (batches a burst of registrations). */
const COUNT_REPORT_MS = 250;
const DEFAULT_POLL_MS = 30 * 60_000;

export function createTaskServer(opts: TaskServerOptions): TaskServer {
  const log: Logger = opts.logger ?? createLogger({ level: 'info', name: 'ts' });
  const guid = normalizeGuid(opts.guid ?? randomUUID());
  const name = opts.name ?? `${hostname()}`;
  let settings = channelSettings(opts);
  let pollIntervalMs = DEFAULT_POLL_MS;
  const metrics = createTsMetrics();
  const rejects = new RejectLog(log, metrics);
  const registry = new ClientRegistry(settings.maxClients, () => reportCountSoon());
  const channel = new AgentChannelServer(settings, registry, metrics, rejects, log);
  const ns = new NsClient(opts.nsUrl);
  const reporter = new StatusReporter(ns, () => guid, opts.reportBatch ?? TS_DEFAULTS.reportBatch,
    opts.reportIntervalMs ?? TS_DEFAULTS.reportIntervalMs, metrics, log);
  let addresses: TsAddresses | null = null;
  let ticklePort: number | null = opts.nsTicklePort ?? null;
  let knownVersion = 0;
  let fetching: Promise<void> | null = null;
  let fetchAgain = false;
  let regTimer: NodeJS.Timeout | null = null;
  let closed = false;
  const started = Date.now();

  const link = new NsLink(() => (ticklePort === null ? null : { host: hostOf(opts.nsUrl), port: ticklePort }),
    { guid, name }, opts.nsRetryMs ?? TS_DEFAULTS.nsRetryMs, log);
  link.on('tickle', () => fetchWork());
  link.on('up', () => fetchWork());
  link.on('settings', (s) => applySettings(s));

  function applySettings(s: Readonly<Record<string, string>>): void {
    const num = (k: string): number | undefined => (s[k] !== undefined && /^\d+$/.test(s[k]) ? Number(s[k]) : undefined);
    const maxClients = num('maxClients');
    const keepAliveMs = num('keepAliveMs');
    const poll = num('pollIntervalMs');
    settings = channelSettings({ ...opts, ...(maxClients ? { maxClients } : {}), ...(keepAliveMs ? { keepAliveMs } : {}) });
    registry.maxClients = settings.maxClients;
    channel.updateSettings(settings);
    if (poll) pollIntervalMs = poll;
    log.info({ settings: s }, 'new task server settings from the NS');
  }

  /** A new client: tell the NS the new count soon (one re-registration per burst). */
  let countSoon = false;
  function reportCountSoon(): void {
    if (countSoon || closed || addresses === null) return;
    countSoon = true;
    const t = setTimeout(() => {
      countSoon = false;
      if (regTimer !== null) clearTimeout(regTimer);
      void registerWithNs();
    }, COUNT_REPORT_MS);
    t.unref();
  }

  function fetchWork(): void {
    if (fetching !== null) {
      fetchAgain = true;
      return;
    }
    fetching = (async () => {
      do {
        fetchAgain = false;
        const { version, tasks } = await ns.tasksSince(guid, knownVersion);
        const ts: TsTask[] = tasks.map((t) => ({ ...t, targets: t.targets === null ? null : new Set(t.targets) }));
        const touched = registry.addTasks(ts);
        knownVersion = Math.max(knownVersion, version);
        for (const rec of touched) channel.tickle(rec, knownVersion);
        if (touched.length > 0) log.info({ tasks: ts.length, agents: touched.length, version }, 'work waiting sent');
      } while (fetchAgain && !closed);
    })().catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'fetching work from the NS failed; next tickle or re-registration retries');
    }).finally(() => {
      fetching = null;
    });
  }

  function onStatus(rec: ClientRecord, s: StatusDoc): void {
    if (s.state === 'completed' || s.state === 'failed') registry.finish(rec, s.taskId);
    reporter.add(s);
  }

  function statusFields(): Record<string, string | number> {
    return {
      guid: `{${guid}}`, name, status: 'ok', nsLink: link.up ? 'up' : 'down', registered: registry.size,
      connected: registry.connectedCount, maxClients: registry.maxClients, taskVersion: knownVersion,
      uptimeS: Math.round((Date.now() - started) / 1000),
    };
  }

  async function registerWithNs(): Promise<void> {
    if (addresses === null || closed) return;
    try {
      const reg = await ns.register({
        guid, name, url: urlOf(addresses.http), channelHost: hostOf(urlOf(addresses.channel)), channelPort: addresses.channel.port,
        shares: opts.shares ?? TS_DEFAULTS.shares, clients: registry.size, maxClients: registry.maxClients,
      });
      const told = opts.nsTicklePort ?? (reg.ticklePort === 0 ? null : reg.ticklePort);
      const changed = ticklePort !== told;
      ticklePort = told;
      if (ticklePort !== null && (changed || !link.up)) link.poke();
      if (reg.taskVersion > knownVersion) fetchWork();
    } catch (err) {
      log.warn({ err: (err as Error).message, ns: opts.nsUrl }, 'registration with the NS failed; retrying');
    } finally {
      if (!closed) {
        regTimer = setTimeout(() => void registerWithNs(), link.up ? REREGISTER_MS : (opts.nsRetryMs ?? TS_DEFAULTS.nsRetryMs));
        regTimer.unref();
      }
    }
  }

  const app: FastifyInstance = makeApp(log, metrics);
  const pageCtx = {
    registry, metrics, status: statusFields, onStatus,
    identity: () => ({ guid, name, channelPort: addresses?.channel.port ?? 0, keepAliveMs: settings.keepAliveMs, pollIntervalMs }),
  };
  const httpsApp = opts.tls ? makeApp(log, metrics, opts.tls) : null;
  const remoting = [1, 2].map((i) => createRemotingServer(`ts-remoting-${i}`, (what) => (what === 2
    ? { registered: registry.size, connected: registry.connectedCount, max: registry.maxClients } : statusFields()), rejects, log));

  return {
    guid, name, registry, metrics, channel,
    nsLinkUp: () => link.up,
    async listen() {
      const bind = opts.bind ?? '0.0.0.0';
      const port = (explicit: number | undefined, flow: string): number => {
        if (explicit !== undefined) return explicit;
        if (opts.ports === undefined) throw smpError('CONFIG', `no port for ${flow}: pass ports or an explicit port`);
        return opts.ports.port(flow);
      };
      await registerTsPages(app, pageCtx);
      if (httpsApp) await registerTsPages(httpsApp, pageCtx);
      const http = await listenApp(app, port(opts.httpPort, 'ts-http'), bind);
      const https = httpsApp ? await listenApp(httpsApp, port(opts.httpsPort, 'ts-https'), bind) : null;
      const ch = await channel.listen(port(opts.channelPort, 'ts-agent-channel'), bind);
      const r1 = await listenLoopback(remoting[0]!, opts.remotingPorts?.[0] ?? port(undefined, 'ts-remoting-1'));
      const r2 = await listenLoopback(remoting[1]!, opts.remotingPorts?.[1] ?? port(undefined, 'ts-remoting-2'));
      addresses = { http, https, channel: ch, remoting: [r1, r2] };
      link.start();
      void registerWithNs();
      return addresses;
    },
    async close() {
      closed = true;
      if (regTimer !== null) clearTimeout(regTimer);
      link.close();
      await channel.close();
      await reporter.close();
      await app.close();
      if (httpsApp) await httpsApp.close();
      await Promise.all(remoting.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

function makeApp(log: Logger, metrics: TsMetrics, tls?: { cert: string | Buffer; key: string | Buffer }): FastifyInstance {
  const app = fastify({
    loggerInstance: log, logController: new LogController({ disableRequestLogging: true }), bodyLimit: TS_DEFAULTS.bodyLimit,
    routerOptions: { caseSensitive: false }, connectionTimeout: 30_000, keepAliveTimeout: 120_000,
    ...(tls ? { https: { cert: tls.cert, key: tls.key } } : {}),
  } as Parameters<typeof fastify>[0]) as unknown as FastifyInstance;
  // Agents send XML with any (or no) content type; bodies stay text for the page codecs.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    const code = status === 413 ? 'SMP_ERR_TOO_LARGE' : status < 500 ? 'SMP_ERR_BAD_INPUT' : 'SMP_ERR_INTERNAL';
    metrics.http.inc({ endpoint: 'any', outcome: code });
    void reply.code(status).type('text/xml; charset=utf-8').send(`<error code="${code}">${escapeXml(err.message)}</error>`);
  });
  app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  return app;
}

async function listenApp(app: FastifyInstance, port: number, host: string): Promise<{ address: string; port: number }> {
  await app.listen({ port, host });
  const a = app.server.address();
  if (a === null || typeof a === 'string') throw new Error('listener has no address');
  return { address: a.address, port: a.port };
}

export function urlOf(a: { address: string; port: number }, scheme = 'http'): string {
  const host = a.address === '0.0.0.0' || a.address === '::' ? '127.0.0.1' : a.address;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${a.port}`;
}
