// `smp-lab ts`: run a Task Server that registers with the NS, holds client task agents on 50124,
// links to the NS tickle server (50123) and serves /Altiris/ClientTaskServer; prints a ready line
// with the ports it bound and runs until SIGINT/SIGTERM. Parsing and printing only.
import { readFileSync } from 'node:fs';
import { COMMON_OPTIONS, PORT_OPTIONS } from '../../shared/config.js';
import { configError } from '../../shared/errors.js';
import { DEFAULT_PORTS } from '../../shared/ports.js';
import { defineVerb } from '../verb.js';

export const tsVerb = defineVerb({
  name: 'ts',
  summary: `run a Task Server (${DEFAULT_PORTS.port('ts-agent-channel')} agent channel, HTTP pages, link to the NS tickle server)`,
  description: `${DEFAULT_PORTS.port('ts-remoting-1')}/${DEFAULT_PORTS.port('ts-remoting-2')} always stay on 127.0.0.1 whatever --bind says. HTTPS is served with --tls-cert/--tls-key.`,
  options: {
    ...COMMON_OPTIONS, ...PORT_OPTIONS,
    ns: { type: 'url', arg: 'URL', help: 'Notification Server base URL (required), e.g. http://127.0.0.1:80' },
    bind: { type: 'address', arg: 'IP', default: '127.0.0.1', help: 'address of the HTTP(S) and agent channel listeners' },
    name: { type: 'string', arg: 'FQDN', help: 'name reported to the NS and agents (default: host name)' },
    guid: { type: 'string', arg: 'GUID', help: 'this task server\'s GUID (default: a new one)' },
    maxClients: { type: 'int', min: 1, max: 1_000_000, default: 5000, arg: 'N', help: 'registered clients at most (SMP default 5000)' },
    keepAlive: { type: 'duration', default: '30s', arg: 'DURATION', help: 'keep-alive interval told to agents; silent links dropped after 3x' },
    shares: { type: 'int', min: 0, max: 1_000_000, default: 100, arg: 'N', help: 'shares offered for AvailableCapacity selection' },
    tlsCert: { type: 'path', arg: 'FILE', help: 'PEM certificate for the HTTPS listener' },
    tlsKey: { type: 'path', arg: 'FILE', help: 'PEM key for the HTTPS listener' },
  },
  async run(config, _pos, ctx) {
    if (config.ns === undefined) throw configError('--ns', '', 'the NS base URL, e.g. --ns http://127.0.0.1:80');
    if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) throw configError('--tls-cert/--tls-key', '', 'both or neither');
    const { resolvePorts } = await import('../../shared/ports.js');
    const { createLogger } = await import('../../shared/log.js');
    const { createTaskServer, urlOf } = await import('../../server/ts/task-server.js');
    const ports = resolvePorts({ offset: config.portOffset, perFlow: config.port ?? {} });
    const ts = createTaskServer({
      nsUrl: config.ns, ports, bind: config.bind, maxClients: config.maxClients, keepAliveMs: config.keepAlive,
      shares: config.shares, logger: createLogger({ level: config.logLevel, name: 'ts' }),
      ...(config.name ? { name: config.name } : {}), ...(config.guid ? { guid: config.guid } : {}),
      ...(config.tlsCert && config.tlsKey ? { tls: { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } } : {}),
    });
    const a = await ts.listen();
    ctx.stdout.write(`ts ready: guid={${ts.guid}} http=${urlOf(a.http)} https=${a.https ? urlOf(a.https, 'https') : 'off'} ` +
      `channel=${a.channel.address}:${a.channel.port} remoting=127.0.0.1:${a.remoting[0]},127.0.0.1:${a.remoting[1]} ns=${config.ns}\n`);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await ts.close();
    ctx.stdout.write('ts stopped\n');
    return 0;
  },
});
