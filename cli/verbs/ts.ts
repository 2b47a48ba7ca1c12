// `smp-lab ts`: run a Task Server that registers with the NS, holds client task agents on 50124,
// links to the NS tickle server (50123) and serves /Altiris/ClientTaskServer over HTTP and HTTPS
// (lab certificate by default), in one process or as a primary with --workers N; prints a ready
// line with the ports it bound and runs until SIGINT/SIGTERM. Parsing and printing only.
import { readFileSync } from 'node:fs';
import { COMMON_OPTIONS, PORT_OPTIONS } from '../../shared/config.js';
import { configError } from '../../shared/errors.js';
import { DEFAULT_PORTS } from '../../shared/ports.js';
import { defineVerb } from '../verb.js';
import { CERT_DIR_OPTIONS } from './certs.js';

export const tsVerb = defineVerb({
  name: 'ts',
  summary: `run a Task Server (${DEFAULT_PORTS.port('ts-agent-channel')} agent channel, HTTP/HTTPS pages, link to the NS tickle server)`,
  description: `${DEFAULT_PORTS.port('ts-remoting-1')}/${DEFAULT_PORTS.port('ts-remoting-2')} always stay on 127.0.0.1 whatever --bind says. ` +
    'HTTPS uses the lab certificate of --certs (made or reused, as `smp-lab ns` does) unless --tls-cert/--tls-key or --no-https. ' +
    `--workers N runs N worker processes sharing the pages and ${DEFAULT_PORTS.port('ts-agent-channel')} (past the per-process descriptor limit).`,
  options: {
    ...COMMON_OPTIONS, ...PORT_OPTIONS, ...CERT_DIR_OPTIONS,
    ns: { type: 'url', arg: 'URL', help: 'Notification Server base URL (required), e.g. http://127.0.0.1:80' },
    bind: { type: 'address', arg: 'IP', default: '127.0.0.1', help: 'address of the HTTP(S) and agent channel listeners' },
    name: { type: 'string', arg: 'FQDN', help: 'name reported to the NS and agents (default: host name)' },
    guid: { type: 'string', arg: 'GUID', help: 'this task server\'s GUID (default: a new one)' },
    maxClients: { type: 'int', min: 1, max: 1_000_000, default: 5000, arg: 'N', help: 'registered clients at most, across all workers (SMP default 5000)' },
    keepAlive: { type: 'duration', default: '30s', arg: 'DURATION', help: 'keep-alive interval told to agents; silent links dropped after 3x' },
    shares: { type: 'int', min: 0, max: 1_000_000, default: 100, arg: 'N', help: 'shares offered for AvailableCapacity selection' },
    workers: { type: 'int', min: 0, max: 64, default: 0, arg: 'N', help: 'worker processes holding agent links (0: everything in this process)' },
    noHttps: { type: 'bool', default: false, help: 'serve HTTP only' },
    tlsCert: { type: 'path', arg: 'FILE', help: 'PEM certificate for the HTTPS listener instead of the lab certificate' },
    tlsKey: { type: 'path', arg: 'FILE', help: 'PEM key for the HTTPS listener' },
    agentScheme: { type: 'enum', choices: ['http', 'https'], default: 'http', arg: 'S', help: 'which page URL the NS gives agents (https: agents need the lab CA)' },
  },
  async run(config, _pos, ctx) {
    if (config.ns === undefined) throw configError('--ns', '', 'the NS base URL, e.g. --ns http://127.0.0.1:80');
    if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) throw configError('--tls-cert/--tls-key', '', 'both or neither');
    if (config.noHttps && config.agentScheme === 'https') throw configError('--agent-scheme', 'https', 'http when --no-https is given');
    const { resolvePorts } = await import('../../shared/ports.js');
    const { createLogger } = await import('../../shared/log.js');
    const { createTaskServer } = await import('../../server/ts/task-server.js');
    const ports = resolvePorts({ offset: config.portOffset, perFlow: config.port ?? {} });
    const tls = config.noHttps ? undefined : await tlsOf(config.tlsCert, config.tlsKey, config.certs, ctx.stderr);
    const opts = {
      nsUrl: config.ns, ports, bind: config.bind, maxClients: config.maxClients, keepAliveMs: config.keepAlive,
      shares: config.shares, logger: createLogger({ level: config.logLevel, name: 'ts' }), agentScheme: config.agentScheme as 'http' | 'https',
      ...(config.name ? { name: config.name } : {}), ...(config.guid ? { guid: config.guid } : {}), ...(tls ? { tls } : {}),
    };
    const ts = config.workers > 0
      ? (await import('../../server/ts/cluster-primary.js')).createTaskServerCluster({ ...opts, workers: config.workers, workerLog: { level: config.logLevel } })
      : createTaskServer(opts);
    const a = await ts.listen().catch(async (err: unknown) => {
      await ts.close().catch(() => undefined);
      throw err;
    });
    // The addresses as bound (0.0.0.0 stays 0.0.0.0): the line says where the TS listens, not where to connect.
    const bound = (b: { address: string; port: number }, scheme: string): string =>
      `${scheme}://${b.address.includes(':') ? `[${b.address}]` : b.address}:${b.port}`;
    ctx.stdout.write(`ts ready: guid={${ts.guid}} http=${bound(a.http, 'http')} https=${a.https ? bound(a.https, 'https') : 'off'} ` +
      `channel=${a.channel.address}:${a.channel.port} remoting=127.0.0.1:${a.remoting[0]},127.0.0.1:${a.remoting[1]} ` +
      `workers=${config.workers} ns=${config.ns}\n`);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await ts.close();
    ctx.stdout.write('ts stopped\n');
    return 0;
  },
});

/** Explicit --tls-cert/--tls-key, or the lab certificate of --certs (made or reused, as `smp-lab ns` does). */
async function tlsOf(cert: string | undefined, key: string | undefined, dir: string, stderr: NodeJS.WritableStream) {
  if (cert !== undefined && key !== undefined) return { cert: readFileSync(cert), key: readFileSync(key) };
  const { ensureLabCertificates } = await import('../../certs/index.js');
  const lab = await ensureLabCertificates({ dir });
  for (const w of lab.warnings) stderr.write(`smp-lab ts: ${w}\n`);
  if (lab.report.server.action === 'made') stderr.write(`smp-lab ts: made the lab server certificate (${lab.report.server.reason}); clients trust ${lab.paths.caCert}\n`);
  return { cert: lab.certPem, key: lab.keyPem };
}
