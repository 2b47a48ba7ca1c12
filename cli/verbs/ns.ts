// `smp-lab ns`: run a Notification Server (agent pages, admin API, store) on the catalog's
// ns-agent-http/ns-agent-https ports until SIGINT/SIGTERM, printing one ready line with the ports
// actually bound. Parsing and printing only; the server is server/ns.
import { COMMON_OPTIONS, PORT_OPTIONS, defineOptions } from '../../shared/config.js';
import { smpError } from '../../shared/errors.js';
import { defineVerb } from '../verb.js';
import { CERT_DIR_OPTIONS } from './certs.js';
import { CONSOLE_SERVER_OPTIONS, describeConsoleLogin, nsConsoleOptions } from './console-options.js';
import { NS_PACKAGE_OPTIONS, packageNsOptions } from './ns-package-options.js';

export const NS_OPTIONS = defineOptions({
  bind: { type: 'address', default: '127.0.0.1', arg: 'IP', help: 'address the HTTP and HTTPS listeners bind to' },
  data: { type: 'path', default: '.lab/ns', arg: 'DIR', help: 'folder of the NS database (ns.sqlite, WAL)' },
  store: { type: 'enum', choices: ['sqlite', 'memory'], default: 'sqlite', arg: 'KIND', help: 'sqlite (durable) or memory (throw-away load runs)' },
  cert: { type: 'path', arg: 'FILE', help: 'HTTPS certificate (PEM) instead of the lab certificate of --certs' },
  key: { type: 'path', arg: 'FILE', help: 'HTTPS private key (PEM); wins over --certs' },
  noHttps: { type: 'bool', default: false, help: 'serve HTTP only' },
  registration: { type: 'enum', choices: ['allowed', 'pending', 'blocked'], default: 'allowed', arg: 'STATE',
    help: 'registration policy: state of a newly registered computer' },
  bodyLimit: { type: 'int', min: 1024, max: 1 << 30, default: 1 << 20, arg: 'BYTES', help: 'largest body of an agent page other than PostEvent' },
  eventBodyLimit: { type: 'int', min: 1024, max: 1 << 30, default: 64 << 20, arg: 'BYTES', help: 'largest PostEvent body' },
  bodyBudget: { type: 'size', min: 1024, max: 2 ** 40, default: '256MiB', arg: 'SIZE',
    help: 'request-body bytes all listeners receive at once; beyond it 503 + Retry-After (e.g. 64M, 1GiB)' },
  requestTimeout: { type: 'duration', default: '30s', arg: 'T', help: 'time to receive a whole request (408 after)' },
  headersTimeout: { type: 'duration', default: '10s', arg: 'T', help: 'time to receive the request headers' },
  keepAliveTimeout: { type: 'duration', default: '120s', arg: 'T', help: 'idle keep-alive connection lifetime (IIS default)' },
  listenBacklog: { type: 'int', min: 1, max: 65_535, default: 4096, arg: 'N', help: 'connections the kernel queues for the HTTP and HTTPS listeners before they are accepted (capped by net.core.somaxconn)' },
  eventRetain: { type: 'duration', default: '168h', arg: 'T', help: 'purge processed events older than this (0: keep them whatever their age)' },
  eventRetainCount: { type: 'int', min: 0, max: 1_000_000_000, default: 100_000, arg: 'N', help: 'keep at most N processed events (0: no limit)' },
  eventPurgeEvery: { type: 'duration', default: '60s', arg: 'T', help: 'how often event retention runs (0: never)' },
  eventQueueMax: { type: 'int', min: 1, max: 10_000_000, default: 10_000, arg: 'N', help: 'unprocessed events per queue before agents are told to back off' },
  eventBatch: { type: 'duration', default: '0ms', arg: 'T', help: 'extra wait of an event for others to share its group commit (0: the events of one event-loop turn commit together)' },
});

export const nsVerb = defineVerb({
  name: 'ns',
  summary: 'run a Notification Server: agent pages (register, policies, events), admin API, durable store',
  description: 'Serves /Altiris/NS/Agent and /Altiris/Console/api on HTTP and HTTPS until Ctrl-C; prints '
    + '"ns ready http=ADDR:PORT https=ADDR:PORT store=... console=shared|URL user=NAME password=..." once listening. '
    + 'The console and its API need the console credentials; without --console-password a password is generated at '
    + 'first start, printed on that ready line only, and its scrypt hash kept in DIR/console-password.json.',
  options: { ...COMMON_OPTIONS, ...PORT_OPTIONS, ...CERT_DIR_OPTIONS, ...NS_OPTIONS, ...NS_PACKAGE_OPTIONS, ...CONSOLE_SERVER_OPTIONS },
  async run(config, _pos, ctx) {
    const { resolvePorts } = await import('../../shared/ports.js');
    const { createLogger } = await import('../../shared/log.js');
    const { createNotificationServer } = await import('../../server/ns/server.js');
    const ports = resolvePorts({ offset: config.portOffset, perFlow: config.port ?? {} });
    const tls = config.noHttps ? undefined : await tlsOf(config.cert, config.key, config.certs, ctx.stderr);
    const ns = await createNotificationServer({
      ports, bind: config.bind, store: config.store as 'sqlite' | 'memory', dataDir: config.data,
      registrationPolicy: config.registration as 'allowed' | 'pending' | 'blocked',
      ...(tls ? { tls } : {}),
      limits: { bodyLimit: config.bodyLimit, eventBodyLimit: config.eventBodyLimit, requestTimeoutMs: config.requestTimeout,
        headersTimeoutMs: config.headersTimeout, keepAliveTimeoutMs: config.keepAliveTimeout, listenBacklog: config.listenBacklog,
        bodyBudget: config.bodyBudget },
      events: { queueMax: config.eventQueueMax, retainMs: config.eventRetain, retainCount: config.eventRetainCount,
        purgeEveryMs: config.eventPurgeEvery },
      storeTuning: { eventBatchMs: config.eventBatch },
      logger: createLogger({ level: config.logLevel, name: 'ns' }),
      ...packageNsOptions(config),
      console: nsConsoleOptions(config),
    });
    const a = await ns.listen();
    const show = (b: { address: string; port: number } | null) => (b ? `${b.address}:${b.port}` : 'off');
    const consoleAt = a.console ? `${a.console.scheme}://${show(a.console)}` : 'shared';
    ctx.stdout.write(`ns ready http=${show(a.http)} https=${show(a.https)} store=${ns.store.kind}:${ns.store.path} `
      + `console=${consoleAt} ${describeConsoleLogin(ns.consoleLogin)}\n`);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await ns.close();
    ctx.stdout.write('ns stopped\n');
    return 0;
  },
});

/** Explicit --cert/--key, or the lab certificate of --certs (made or reused, as `smp-lab certs` does). */
async function tlsOf(cert: string | undefined, key: string | undefined, dir: string, stderr: NodeJS.WritableStream) {
  if (cert !== undefined || key !== undefined) {
    if (cert === undefined || key === undefined) throw smpError('CONFIG', '--cert and --key go together');
    return { certFile: cert, keyFile: key };
  }
  const { ensureLabCertificates } = await import('../../certs/index.js');
  const lab = await ensureLabCertificates({ dir });
  for (const w of lab.warnings) stderr.write(`smp-lab ns: ${w}\n`);
  if (lab.report.server.action === 'made') stderr.write(`smp-lab ns: made the lab server certificate (${lab.report.server.reason}); clients trust ${lab.paths.caCert}\n`);
  return { cert: lab.certPem, key: lab.keyPem };
}
