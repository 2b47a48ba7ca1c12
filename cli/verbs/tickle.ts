// `smp-lab tickle`: tickle agents as the NS does: TCP to each agent's tickle port, or one multicast
// message listing them (or all). Parsing and printing only; the senders live in server/ns/tickle.
import { COMMON_OPTIONS, PORT_OPTIONS } from '../../shared/config.js';
import { configError } from '../../shared/errors.js';
import { DEFAULT_PORTS } from '../../shared/ports.js';
import { defineVerb } from '../verb.js';
import { SENDER_OPTIONS } from './tickle-options.js';

export const tickleVerb = defineVerb({
  name: 'tickle',
  summary: `tickle agents on TCP ${DEFAULT_PORTS.port('ns-tickle')} (one connection each) or UDP ${DEFAULT_PORTS.port('ns-multicast')} multicast`,
  description: 'Targets: --to addresses, --guid GUIDs (multicast), --fleet-count N for a whole simulated fleet, or --all (multicast).',
  options: {
    ...COMMON_OPTIONS, ...PORT_OPTIONS, ...SENDER_OPTIONS,
    to: { type: 'list', arg: 'IP,...', help: 'agent addresses' },
    guid: { type: 'list', arg: 'GUID,...', help: 'agent GUIDs (multicast only)' },
    all: { type: 'bool', default: false, help: 'multicast to every listening agent' },
    multicast: { type: 'bool', default: false, help: 'one multicast message instead of a TCP connection per agent' },
    commands: { type: 'list', choices: ['inventory', 'config', 'power-off'], default: ['config'], arg: 'CMD,...', help: 'what the agents do' },
    concurrency: { type: 'int', min: 1, max: 10_000, default: 512, arg: 'N', help: 'TCP connections open at once' },
  },
  async run(config, _pos, ctx) {
    const { resolvePorts } = await import('../../shared/ports.js');
    const { Command } = await import('../../shared/protocol/tickle.js');
    const { FleetIdentities } = await import('../../agent/fleet/identity.js');
    const ports = resolvePorts({ offset: config.portOffset, perFlow: config.port ?? {} });
    const bits: Record<string, number> = { inventory: Command.SEND_BASIC_INVENTORY, config: Command.REQUEST_CONFIGURATION, 'power-off': Command.POWER_OFF };
    const commands = config.commands.reduce((acc, c) => acc | (bits[c] ?? 0), 0);
    const hmacKey = config.hmacKey ? Buffer.from(config.hmacKey) : undefined;
    const ips = [...(config.to ?? [])];
    const guids = [...(config.guid ?? [])];
    if (config.fleetCount !== undefined) {
      const ids = new FleetIdentities({ seed: config.seed, ipBase: config.ipBase });
      for (let i = 0; i < config.fleetCount; i++) ips.push(ids.ip(i));
    }
    if (!config.all && ips.length === 0 && guids.length === 0) throw configError('targets', '', '--to, --guid, --fleet-count or --all');
    if (config.multicast || config.all || guids.length > 0) {
      const { sendMulticastTickle } = await import('../../server/ns/tickle/udp-sender.js');
      const flow = ports.flow('ns-multicast');
      const n = await sendMulticastTickle(config.all ? 'all' : { ips, guids, macs: [] }, {
        address: flow.group ?? '', port: ports.port('ns-multicast'), ...(config.interface ? { interfaceAddress: config.interface } : {}),
        serverName: config.serverName, commands, ...(hmacKey ? { hmacKey } : {}),
      });
      ctx.stdout.write(`multicast tickle: ${n} datagram(s) to ${flow.group}:${ports.port('ns-multicast')} via ${config.interface ?? '127.0.0.1'} (${config.all ? 'all agents' : `${ips.length + guids.length} targets`})\n`);
      return 0;
    }
    const { sendTickles } = await import('../../server/ns/tickle/tcp-sender.js');
    const r = await sendTickles(ips.map((ip) => ({ ip })), {
      serverName: config.serverName, commands, port: ports.port('ns-tickle'), ...(hmacKey ? { hmacKey } : {}),
    }, config.concurrency);
    ctx.stdout.write(`tickle: ${r.sent} sent to port ${ports.port('ns-tickle')} in ${r.ms.toFixed(0)} ms: ${Object.entries(r.outcomes).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
    return r.outcomes.delivered === r.sent ? 0 : 1;
  },
});
