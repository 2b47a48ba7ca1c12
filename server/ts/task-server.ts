// createTaskServer: one Task Server instance: its pages (HTTP, optional HTTPS), the 50124 agent
// channel, the loopback remoting ports and its link to the NS (registration, 50123 tickles, job
// fetch, status reports). Wires the parts; holds no protocol logic of its own.
import { fastify, LogController, type FastifyInstance } from 'fastify';
import { bindError } from '../../shared/bind-error.js';
import { smpError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { TLS_PROFILE } from '../../shared/tls-profile.js';
import { escapeXml } from '../../shared/protocol/task-xml.js';
import { AgentChannelServer } from './agent-channel.js';
import type { ClientRegistry } from './client-registry.js';
import { localPageBackend, registerTsPages } from './http-routes.js';
import type { TsMetrics } from './metrics.js';
import { TS_DEFAULTS, type TaskServerOptions } from './options.js';
import { TsCore, type Bound } from './ts-core.js';

export { urlOf } from './ts-core.js';

export interface TsAddresses {
  readonly http: Bound;
  readonly https: Bound | null;
  readonly channel: Bound;
  readonly remoting: readonly [number, number];
}

/** What every Task Server shape (one process, or a primary with workers) offers its owner. */
export interface TaskServerHandle {
  readonly guid: string;
  readonly name: string;
  listen(): Promise<TsAddresses>;
  close(): Promise<void>;
  /** True once the NS accepted our registration and the 50123 link is up. */
  nsLinkUp(): boolean;
}

export interface TaskServer extends TaskServerHandle {
  readonly registry: ClientRegistry;
  readonly metrics: TsMetrics;
  readonly channel: AgentChannelServer;
  /** Resolves once the NS first accepted our registration (it then lists this TS to agents). */
  registered(): Promise<void>;
}

/** The port of a flow: an explicit option wins, else the port map. */
export function portOf(opts: TaskServerOptions, explicit: number | undefined, flow: string): number {
  if (explicit !== undefined) return explicit;
  if (opts.ports === undefined) throw smpError('CONFIG', `no port for ${flow}: pass ports or an explicit port`);
  return opts.ports.port(flow);
}

/** One Task Server in this process (no workers): at most ~19,900 held links (the descriptor limit). */
export function createTaskServer(opts: TaskServerOptions): TaskServer {
  let channel: AgentChannelServer | null = null;
  const core: TsCore = new TsCore(opts, {
    tickle: (recs, version) => { for (const rec of recs) channel?.tickle(rec, version); },
    settingsChanged: (settings) => channel?.updateSettings(settings),
  });
  const { log, metrics, registry } = core;
  channel = new AgentChannelServer(core.settings, registry, metrics, core.rejects, log);
  const pages = localPageBackend(registry, metrics, () => core.identity(), () => core.statusFields(), (rec, s) => core.onStatus(rec, s));
  const app = makeApp(log, metrics);
  const httpsApp = opts.tls ? makeApp(log, metrics, opts.tls) : null;
  const ch = channel;

  return {
    guid: core.guid, name: core.name, registry, metrics, channel: ch,
    nsLinkUp: () => core.link.up,
    registered: () => core.registered,
    async listen() {
      const bind = opts.bind ?? '0.0.0.0';
      await registerTsPages(app, pages);
      if (httpsApp) await registerTsPages(httpsApp, pages);
      const on = <T>(flow: string, port: number, host: string, fn: (port: number) => Promise<T>): Promise<T> =>
        fn(port).catch((err: unknown) => { throw bindError(err, { flow, host, port }); });
      const http = await on('ts-http', portOf(opts, opts.httpPort, 'ts-http'), bind, (p) => listenApp(app, p, bind));
      const https = httpsApp
        ? await on('ts-https', portOf(opts, opts.httpsPort, 'ts-https'), bind, (p) => listenApp(httpsApp, p, bind))
        : null;
      const channelAddr = await on('ts-agent-channel', portOf(opts, opts.channelPort, 'ts-agent-channel'), bind,
        (p) => ch.listen(p, bind));
      const remoting = await core.listenRemoting((flow) => portOf(opts, undefined, flow));
      core.start({ http, https, channel: channelAddr });
      return { http, https, channel: channelAddr, remoting };
    },
    async close() {
      await ch.close();
      await app.close();
      if (httpsApp) await httpsApp.close();
      await core.close();
    },
  };
}

/** `metricsText`: what /metrics answers (a worker asks its primary for the whole TS); default this registry. */
export function makeApp(log: Logger, metrics: TsMetrics, tls?: { cert: string | Buffer; key: string | Buffer },
  metricsText?: () => Promise<{ contentType: string; text: string }>): FastifyInstance {
  const app = fastify({
    loggerInstance: log, logController: new LogController({ disableRequestLogging: true }), bodyLimit: TS_DEFAULTS.bodyLimit,
    routerOptions: { caseSensitive: false }, connectionTimeout: 30_000, keepAliveTimeout: 120_000,
    ...(tls ? { https: { cert: tls.cert, key: tls.key, ...TLS_PROFILE } } : {}),
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
  app.get('/metrics', async (_req, reply) => {
    const m = metricsText ? await metricsText() : { contentType: metrics.registry.contentType, text: await metrics.registry.metrics() };
    return reply.type(m.contentType).send(m.text);
  });
  return app;
}

export async function listenApp(app: FastifyInstance, port: number, host: string): Promise<{ address: string; port: number }> {
  await app.listen({ port, host });
  const a = app.server.address();
  if (a === null || typeof a === 'string') throw new Error('listener has no address');
  return { address: a.address, port: a.port };
}
