// createNotificationServer: one fastify app (one plugin per IIS virtual directory) served on an
// HTTP and, with a certificate, an HTTPS listener that share the same routes, limits and store.
// The factory never picks ports itself: they come from the PortMap or the options (0 in tests).
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { createLogger, type Logger } from '../../shared/log.js';
import { CanonicalPaths } from './case-insensitive.js';
import type { BoundAddress, NsAddresses, NsContext } from './context.js';
import { xmlErrorHandler, xmlErrorBody } from './http-errors.js';
import { BodyBudget, installBodyBudget } from './body-budget.js';
import { DEFAULT_DATA_DIR, DEFAULT_EVENT_OPTIONS, DEFAULT_LIMITS, DEFAULT_NS_VERSION, type NsLimits, type NsOptions } from './options.js';
import { NS_PLUGINS } from './plugins.js';
import { installObservability } from './observability/install.js';
import { openStore, type NsStore } from './store/index.js';
import { tlsServerOptions } from './tls.js';
import { startEventProcessor } from './events/processor.js';
import { ConsoleFeed } from './console-app/feed.js';
import { DEFAULT_CONSOLE_FEED, LiveBroadcaster } from './console-app/live.js';
import { seedLabPolicies } from './policies/lab-set.js';
import { ERRORS, isSmpError, smpError } from '../../shared/errors.js';
import { createConsoleListener } from './console-access/console-listener.js';
import { createConsoleAccess, installConsoleAccess } from './console-access/install.js';
import { startRetention } from './events/retention.js';
import { bindError } from '../../shared/bind-error.js';

export interface NotificationServer {
  readonly app: FastifyInstance;
  readonly store: NsStore;
  readonly context: NsContext;
  /** The console's lab account: its user, and the generated password on the start that made it (print it once). */
  readonly consoleLogin: { readonly user: string; readonly generatedPassword?: string; readonly passwordFile?: string };
  /** Binds the listeners; resolves with the addresses actually bound. */
  listen(): Promise<NsAddresses>;
  addresses(): NsAddresses;
  /** Every route the app registered (method and URL pattern), e.g. for the access-control tests. */
  routes(): readonly NsRoute[];
  /** Stops accepting, finishes in-flight requests, flushes the store. */
  close(): Promise<void>;
}

export interface NsRoute {
  readonly method: string;
  readonly url: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function applyLimits(server: Server | HttpsServer, limits: NsLimits): void {
  // A client that sends a whole request and then half-closes (FIN) still gets its answer, as from IIS.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
}

const httpServerOptions = (limits: NsLimits) => ({
  maxHeaderSize: limits.maxHeaderSize,
  requestTimeout: limits.requestTimeoutMs,
  headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
  keepAliveTimeout: limits.keepAliveTimeoutMs,
  // How often node checks the two timeouts above; its default (30 s) would let slow clients linger.
  connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.requestTimeoutMs / 4))),
});

export async function createNotificationServer(opts: NsOptions = {}): Promise<NotificationServer> {
  const limits: NsLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const log: Logger = opts.logger ?? createLogger({ level: 'silent' });
  const dataDir = opts.dataDir ?? DEFAULT_DATA_DIR;
  const consoleAccess = await createConsoleAccess(opts.console, dataDir);
  const store = openStore({ kind: opts.store ?? 'sqlite', dataDir, tuning: opts.storeTuning ?? {} });
  const paths = new CanonicalPaths();
  let handler: Handler | undefined;
  const httpServerOpts = httpServerOptions(limits);
  let httpsServer: HttpsServer | null = null;
  let tlsOpts: ReturnType<typeof tlsServerOptions> | undefined;
  try {
    tlsOpts = opts.tls ? tlsServerOptions(opts.tls) : undefined;
    httpsServer = tlsOpts ? createHttpsServer({ ...tlsOpts, ...httpServerOpts }) : null;
  } catch (err) {
    await store.close();
    throw isSmpError(err) ? err : smpError('CONFIG', `the HTTPS certificate or key is not usable: ${(err as Error).message}`, {}, err);
  }
  const app = Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.bodyLimit,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    forceCloseConnections: 'idle',
    rewriteUrl: (req) => paths.rewrite(req.url ?? '/'),
    // Malformed URLs (bad percent-encoding) and other framework refusals answer in the NS's XML shape too.
    frameworkErrors: (err, req, reply) => xmlErrorHandler(err, req, reply),
    serverFactory: (h) => {
      handler = h as Handler;
      const s = createHttpServer(httpServerOpts, h as Handler);
      applyLimits(s, limits);
      return s;
    },
  }) as unknown as FastifyInstance;

  let bound: NsAddresses = { http: null, https: null, console: null };
  const feed = new ConsoleFeed();
  const live = new LiveBroadcaster(feed, { ...DEFAULT_CONSOLE_FEED, ...opts.consoleFeed });
  app.addHook('onClose', async () => live.close());
  const context: NsContext = {
    store, options: opts, limits, events: { ...DEFAULT_EVENT_OPTIONS, ...opts.events },
    nsVersion: opts.nsVersion ?? DEFAULT_NS_VERSION, log, metrics: new Registry(), bound: () => bound, consoleAccess,
    feed, live, bodyBudget: new BodyBudget(limits.bodyBudget),
  };
  const separateConsole = opts.console?.port !== undefined;
  const routes: NsRoute[] = [];
  app.addHook('onRoute', (route) => {
    paths.learn(route);
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  app.setErrorHandler(xmlErrorHandler);
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).type('text/xml; charset=utf-8')
      .send(xmlErrorBody({ status: 404, code: ERRORS.NOT_FOUND.code, message: `no page ${req.url.split('?')[0]} on this NS` }));
  });
  installBodyBudget(app, context.bodyBudget);
  const observability = installObservability(app, context, 'smp-lab Notification Server (IIS W3C layout)');
  app.addHook('onClose', async () => observability.close());
  // Before any plugin: the console guard covers every route under /Altiris/Console whoever adds it.
  await installConsoleAccess(app, consoleAccess, { separateListener: separateConsole });
  for (const p of [...NS_PLUGINS, ...(opts.plugins ?? [])]) {
    await app.register(async (scope) => p.register(scope, context), { prefix: p.prefix });
  }
  if (opts.seedPolicies ?? true) seedLabPolicies(store.policies);
  const processor = startEventProcessor(context);
  const retention = startRetention(context);
  app.addHook('onClose', async () => {
    processor.stop();
    retention.stop();
    await store.close();
  });
  if (httpsServer) applyLimits(httpsServer, limits);

  const listen = async (): Promise<NsAddresses> => {
    const host = opts.bind ?? '127.0.0.1';
    const httpPort = opts.httpPort ?? opts.ports?.port('ns-agent-http') ?? 0;
    await app.listen({ port: httpPort, host, backlog: limits.listenBacklog }).catch(async (err: unknown) => {
      await app.close();
      throw bindError(err, { flow: 'ns-agent-http', host, port: httpPort });
    });
    let https: BoundAddress | null = null;
    if (httpsServer && handler) {
      const srv = httpsServer;
      srv.on('request', handler);
      // WebSocket upgrades (the console's live feed) reach the same fastify routes as on HTTP.
      srv.on('upgrade', (req, socket, head) => app.server.emit('upgrade', req, socket, head));
      const httpsPort = opts.httpsPort ?? opts.ports?.port('ns-agent-https') ?? 0;
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen({ port: httpsPort, host, backlog: limits.listenBacklog }, () => {
          srv.off('error', reject);
          resolve();
        });
      }).catch(async (err: unknown) => {
        await app.close();
        throw bindError(err, { flow: 'ns-agent-https', host, port: httpsPort });
      });
      https = toBound(srv.address() as AddressInfo);
    }
    const consoleBound = separateConsole && handler ? await listenConsole(handler) : null;
    bound = { http: toBound(app.server.address() as AddressInfo), https, console: consoleBound };
    log.info({ http: bound.http, https: bound.https, console: bound.console, store: store.path }, 'notification server listening');
    return bound;
  };

  let consoleServer: Server | HttpsServer | null = null;
  const listenConsole = async (h: Handler): Promise<NsAddresses['console']> => {
    const host = opts.console?.bind ?? opts.bind ?? '127.0.0.1';
    const port = opts.console?.port ?? 0;
    const srv = createConsoleListener({ handler: h, upgradeTarget: app.server, tls: tlsOpts, httpOptions: httpServerOpts });
    applyLimits(srv, limits);
    consoleServer = srv;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen({ port, host, backlog: limits.listenBacklog }, () => {
        srv.off('error', reject);
        resolve();
      });
    }).catch(async (err: unknown) => {
      await close();
      throw bindError(err, { flow: 'console', host, port, move: '--console-port PORT or --console-bind IP' });
    });
    return { ...toBound(srv.address() as AddressInfo), scheme: tlsOpts ? 'https' : 'http' };
  };

  const close = async (): Promise<void> => {
    for (const srv of [consoleServer, httpsServer]) {
      if (!srv?.listening) continue;
      const done = new Promise<void>((resolve) => srv.close(() => resolve()));
      srv.closeIdleConnections();
      const force = setTimeout(() => srv.closeAllConnections(), 2000);
      await done;
      clearTimeout(force);
    }
    await app.close();
  };
  const account = consoleAccess.account;
  const consoleLogin = {
    user: account.user,
    ...(account.generatedPassword !== undefined ? { generatedPassword: account.generatedPassword } : {}),
    ...(account.passwordFile !== undefined ? { passwordFile: account.passwordFile } : {}),
  };
  return { app, store, context, consoleLogin, listen, addresses: () => bound, routes: () => routes, close };
}

const toBound = (a: AddressInfo): BoundAddress => ({ address: a.address, port: a.port });
