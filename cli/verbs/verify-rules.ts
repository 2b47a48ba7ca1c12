// `smp-lab verify-rules`: try a firewall ruleset (nft or iptables-restore) in a namespace lab before
// any hardware exists and print which SMP flows it would break. Parses and prints only.
import { fileURLToPath } from 'node:url';
import { COMMON_OPTIONS, PORT_OPTIONS, defineOptions } from '../../shared/config.js';
import { smpError } from '../../shared/errors.js';
import { defineVerb } from '../verb.js';
import { REPORT_OPTIONS } from './probe.js';

const options = defineOptions({
  ...COMMON_OPTIONS,
  ...PORT_OPTIONS,
  nft: { type: 'path', arg: 'FILE', help: 'nftables ruleset (nft -f) for the router namespace' },
  iptables: { type: 'path', arg: 'FILE', help: 'iptables-restore ruleset for the router namespace' },
  serverRole: { type: 'roles', arg: 'ROLES', default: 'ns,ts,ps', help: 'roles on the server side of the router' },
  agentRole: { type: 'roles', arg: 'ROLES', default: 'agent,device', help: 'roles on the agent side of the router' },
  flow: { type: 'list', arg: 'IDS', help: 'only these flow ids (comma-separated)' },
  ...REPORT_OPTIONS,
  timeout: { type: 'duration', arg: 'DURATION', default: '2s', help: 'deadline of each flow (e.g. 500ms, 2s)' },
});

export const verifyRulesVerb = defineVerb({
  name: 'verify-rules',
  summary: 'load a firewall ruleset in a network-namespace lab and report which SMP flows it breaks (root, Linux)',
  description: 'Builds namespaces server (10.250.1.2) -- router -- agent (10.250.2.2), loads the ruleset in the '
    + 'router (interfaces srv0 toward the server, agt0 toward the agent), runs respond on both sides and probe both '
    + 'ways, prints the matrix and removes everything it made. Exit 0 when every probed flow passed, 1 otherwise, '
    + '2 without root, ip or nft/iptables-restore.',
  options,
  async run(config, _positionals, ctx) {
    if ((config.nft === undefined) === (config.iptables === undefined)) {
      throw smpError('USAGE', 'give exactly one of --nft FILE or --iptables FILE');
    }
    const { verifyRules } = await import('../../firewall/lab/verify-rules.js');
    const { emitReport } = await import('./report-output.js');
    const { resolvePorts } = await import('../../shared/ports.js');
    const file = config.nft ?? config.iptables ?? '';
    const passArgs = ['--port-offset', String(config.portOffset), ...Object.entries(config.port ?? {}).flatMap(([id, p]) => ['--port', `${id}=${p}`])];
    const rows = await verifyRules({
      ruleset: { kind: config.nft !== undefined ? 'nft' : 'iptables', file },
      cliPath: fileURLToPath(new URL('../main.js', import.meta.url)),
      serverRoles: config.serverRole, agentRoles: config.agentRole, passArgs,
      map: resolvePorts({ offset: config.portOffset, perFlow: config.port ?? {} }),
      probeArgs: config.ca !== undefined ? ['--ca', config.ca] : [],
      timeoutMs: config.timeout, concurrency: config.concurrency, pathEnv: ctx.env.PATH, signal: ctx.signal,
      log: (l) => ctx.stderr.write(`${l}\n`),
      ...(config.flow !== undefined ? { flows: config.flow } : {}),
    });
    const meta = { title: `smp-lab verify-rules ${file}: server ${config.serverRole.join(',')} <-> agent ${config.agentRole.join(',')}`, ruleset: file };
    return emitReport(rows, meta, config, ctx);
  },
});
