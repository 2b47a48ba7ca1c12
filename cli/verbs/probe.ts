// `smp-lab probe`: run once every catalog flow the given roles start toward the peer and print one
// row a flow (pass, or why not). Parses and prints only; the probes live in firewall/probe.
import { COMMON_OPTIONS, PORT_OPTIONS, defineOptions } from '../../shared/config.js';
import { smpError } from '../../shared/errors.js';
import { defineVerb } from '../verb.js';

export const REPORT_OPTIONS = defineOptions({
  timeout: { type: 'duration', arg: 'DURATION', default: '3s', help: 'deadline of each flow (e.g. 500ms, 3s)' },
  concurrency: { type: 'int', min: 1, max: 256, default: 16, arg: 'N', help: 'flows probed at once' },
  format: { type: 'enum', choices: ['table', 'json', 'md', 'junit'], default: 'table', arg: 'FORMAT', help: 'report format' },
  out: { type: 'path', arg: 'FILE', help: 'write the report to FILE (stdout gets the summary line)' },
  ca: { type: 'path', arg: 'FILE', help: 'CA bundle (PEM) HTTPS certificates must chain to' },
});

const options = defineOptions({
  ...COMMON_OPTIONS,
  ...PORT_OPTIONS,
  role: { type: 'roles', arg: 'ROLES', help: 'initiator roles played here, e.g. agent (or ns for the reverse flows)' },
  peer: { type: 'host', arg: 'ADDR', help: 'address of the host running `smp-lab respond`' },
  peerRole: { type: 'roles', arg: 'ROLES', help: 'listener roles running on the peer (default: every role the initiators reach, except themselves)' },
  flow: { type: 'list', arg: 'IDS', help: 'only these flow ids (comma-separated)' },
  ...REPORT_OPTIONS,
});

export const probeVerb = defineVerb({
  name: 'probe',
  summary: 'run each catalog flow of a role toward a peer once and say which pass (firewall test, client side)',
  description: 'Statuses: pass, refused (reset / ICMP unreachable), timeout (dropped), mismatch (something else '
    + 'answered), skipped (cannot be tested from here), error. Exit code 0 when every probed flow passed '
    + '(skipped flows are not probed), 1 otherwise, 2 on usage errors.',
  options,
  async run(config, _positionals, ctx) {
    if (config.role === undefined || config.role.length === 0) throw smpError('USAGE', '--role is required, e.g. --role agent');
    if (config.peer === undefined) throw smpError('USAGE', '--peer is required, e.g. --peer 10.1.2.3');
    const { resolvePorts } = await import('../../shared/ports.js');
    const { runProbe } = await import('../../firewall/probe/probe.js');
    const { emitReport } = await import('./report-output.js');
    const map = resolvePorts({ offset: config.portOffset, perFlow: config.port ?? {} });
    const ca = config.ca === undefined ? undefined : await readCa(config.ca);
    const rows = await runProbe({
      map, roles: config.role, peer: config.peer, timeoutMs: config.timeout, concurrency: config.concurrency,
      pathEnv: ctx.env.PATH,
      ...(config.peerRole !== undefined ? { peerRoles: config.peerRole } : {}),
      ...(config.flow !== undefined ? { flows: config.flow } : {}),
      ...(ca !== undefined ? { ca } : {}),
    });
    if (rows.length === 0) throw smpError('USAGE', `no catalog flow goes from ${config.role.join(',')} to ${(config.peerRole ?? ['the peer']).join(',')}; check --role/--peer-role/--flow`);
    const meta = { title: `smp-lab probe: ${config.role.join(',')} -> ${config.peer}`, role: config.role, peer: config.peer };
    return emitReport(rows, meta, config, ctx);
  },
});

async function readCa(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw smpError('CONFIG', `--ca: cannot read ${path}: ${(err as Error).message}`);
  }
}
