// `smp-lab up` (what `npm start` runs): a Notification Server and a fleet of simulated agents on
// loopback in one command, without root: the catalog's ports when they can be bound, otherwise the
// first port offset that works (printed). Prints the port map, URLs, log and report locations, a
// live line of check-ins, and stops cleanly on Ctrl-C. Parsing, wiring and printing only.
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { COMMON_OPTIONS, PORT_OPTIONS } from '../../shared/config.js';
import { configError, smpError } from '../../shared/errors.js';
import { makeDirSync } from '../../shared/make-dir.js';
import type { PortMap } from '../../shared/ports.js';
import { defineVerb } from '../verb.js';
import { commandName, portArgs } from '../hints.js';
import { FLEET_RUN_OPTIONS } from './agents-options.js';
import { CONSOLE_SERVER_OPTIONS, describeConsoleLogin, nsConsoleOptions } from './console-options.js';
import { LOAD_OPTIONS } from './load-options.js';
import { NS_OPTIONS } from './ns.js';
import { runAgents, runUntilDone, type AgentsConfig } from './agents.js';
import { startUpTasks } from './up-tasks.js';

/** Offsets tried when the real ports cannot be bound. Not 10000: HTTP would land on 10080, a port browsers and fetch refuse. */
export const FALLBACK_OFFSETS: readonly number[] = [11000, 12000, 13000];

function canBindTcp(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRNOTAVAIL') reject(configError('--bind', host, 'an address of this host or container, or 0.0.0.0'));
      else resolve(false);
    });
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

function canBindUdp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => { s.close(); resolve(false); });
    s.bind({ port, address: '0.0.0.0', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

async function pickPorts(first: number, perFlow: Record<string, number>, host: string): Promise<PortMap> {
  const { resolvePorts } = await import('../../shared/ports.js');
  for (const offset of [first, ...FALLBACK_OFFSETS.filter((o) => o !== first)]) {
    const map = resolvePorts({ offset, perFlow });
    const ok = (await canBindTcp(map.port('ns-agent-http'), host)) && (await canBindTcp(map.port('ns-agent-https'), host))
      && (await canBindTcp(map.port('ns-tickle'), '0.0.0.0')) && (await canBindUdp(map.port('ns-multicast')));
    if (ok) return map;
  }
  throw smpError('BIND', `no port offset of ${[first, ...FALLBACK_OFFSETS].join(', ')} can bind the NS and agent ports; free them or pass --port-offset`);
}

export const upVerb = defineVerb({
  name: 'up',
  summary: 'start a Notification Server and a fleet of simulated agents (on loopback unless --bind; what `npm start` runs)',
  options: {
    ...COMMON_OPTIONS, ...PORT_OPTIONS, ...FLEET_RUN_OPTIONS, ...LOAD_OPTIONS, ...CONSOLE_SERVER_OPTIONS,
    bind: { type: 'address', default: '127.0.0.1', arg: 'IP',
      help: 'address of the NS and task server listeners; 0.0.0.0 in a container (the image sets SMP_LAB_BIND=0.0.0.0)' },
    agents: { type: 'int', min: 0, max: 1_000_000, default: 50, arg: 'N', help: 'simulated agents' },
    scheme: { type: 'enum', choices: ['https', 'http'], default: 'https', arg: 'S', help: 'how the agents talk to the NS' },
    dataDir: { type: 'path', default: '.lab/ns', arg: 'DIR', help: 'NS database folder' },
    certDir: { type: 'path', default: '.lab/certs', arg: 'DIR', help: 'lab CA and NS certificate folder' },
    logDir: { type: 'path', default: '.lab/logs', arg: 'DIR', help: 'where ns.log goes' },
    bodyBudget: NS_OPTIONS.bodyBudget,
  },
  async run(config, _pos, ctx) {
    const { createNotificationServer } = await import('../../server/ns/server.js');
    const { ensureLabCertificates } = await import('../../certs/index.js');
    const { createLogger } = await import('../../shared/log.js');
    const ports = await pickPorts(config.portOffset, config.port ?? {}, config.bind);
    const certs = await ensureLabCertificates({ dir: config.certDir });
    try {
      makeDirSync(config.logDir);
    } catch (err) {
      throw smpError('ENVIRONMENT', `cannot create the log folder ${config.logDir}: ${(err as Error).message}`, {}, err);
    }
    const logFile = `${config.logDir}/ns.log`;
    const ns = await createNotificationServer({
      ports, bind: config.bind, dataDir: config.dataDir, tls: { cert: certs.certPem, key: certs.keyPem },
      logger: createLogger({ level: config.logLevel, file: logFile, name: 'ns' }),
      console: nsConsoleOptions(config),
      limits: { bodyBudget: config.bodyBudget },
      tickle: { serverName: config.trustedServer, ...(config.interface ? { interfaceAddress: config.interface } : {}), ...(config.hmacKey ? { hmacKey: Buffer.from(config.hmacKey) } : {}) },
    });
    const bound = await ns.listen();
    // The fleet and the printed URLs use the bound address, loopback when every address is bound.
    const host = config.bind === '0.0.0.0' ? '127.0.0.1' : config.bind;
    const http = `http://${host}:${bound.http!.port}`;
    const consoleBase = bound.console ? `${bound.console.scheme}://${bound.console.address}:${bound.console.port}` : http;
    const https = `https://${host}:${bound.https!.port}`;
    const reportDir = config.reportDir;
    const group = ports.flow('ns-multicast').group;
    const cmd = commandName(ctx.env);
    const tasks = await startUpTasks(http, ports, { seed: config.seed, ipBase: config.ipBase, count: config.agents },
      config.bind, `${config.logDir}/ts.log`, config.logLevel, { url: consoleBase, user: config.consoleUser }, cmd)
      .catch((err: unknown) => ({ line: `  task server      not started: ${(err as Error).message}`, close: async () => undefined }));
    ctx.stdout.write([
      `smp-lab up: port offset ${ports.offset}${ports.offset !== config.portOffset ? ` (the catalog ports could not all be bound; chose ${ports.offset})` : ''}`,
      `  listening on     ${config.bind}${config.bind === '0.0.0.0' ? ' (every address of this host or container)' : ''}`,
      `  NS agent HTTP    ${http}/Altiris/NS/Agent/   (ns-agent-http ${ports.port('ns-agent-http')})`,
      `  NS agent HTTPS   ${https}/Altiris/NS/Agent/  (ns-agent-https ${ports.port('ns-agent-https')}; CA ${certs.paths.caCert})`,
      `  web console      ${consoleBase}/Altiris/Console/`,
      `  console login    ${consoleBase}/Altiris/Console/login   ${describeConsoleLogin(ns.consoleLogin)}`,
      `  console API      ${consoleBase}/Altiris/Console/api/resources   tickle: POST ${consoleBase}/Altiris/Console/api/tickle`
        + '   (HTTP Basic with the console user and password, or a bearer token)',
      `  agent tickle     tcp ${ports.port('ns-tickle')} on ${config.ipBase}..   wake/multicast udp ${group}:${ports.port('ns-multicast')}`,
      tasks.line,
      `  logs ${logFile}   data ${config.dataDir}   reports ${reportDir}`,
      `  try: ${cmd} tickle${portArgs(ports.offset, config.port ?? {})} --fleet-count ${config.agents}`
        + `${config.ipBase === FLEET_RUN_OPTIONS.ipBase.default ? '' : ` --ip-base ${config.ipBase}`}   |   Ctrl-C stops`,
      '',
    ].join('\n'));
    let code = 0;
    try {
      if (config.agents > 0) {
        const agentsConfig: AgentsConfig = { ...config, count: config.agents, ns: undefined, ca: undefined };
        code = await runAgents(agentsConfig, config.scheme === 'https' ? https : http, ports, ctx, {}, config.scheme === 'https' ? Buffer.from(certs.caCertPem) : undefined);
      } else {
        await runUntilDone(config.duration, ctx.signal);
      }
    } finally {
      await tasks.close();
      await ns.close();
      ctx.stdout.write('smp-lab up: stopped\n');
    }
    return code;
  },
});
