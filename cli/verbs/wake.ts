// `smp-lab wake`: wake-on-LAN as the NS does it: standard magic packets to the power-management
// port (group or a unicast address), a relay request to an awake agent over TCP, or a multicast
// power-management wake. Parsing and printing only.
import { COMMON_OPTIONS, PORT_OPTIONS } from '../../shared/config.js';
import { configError } from '../../shared/errors.js';
import { DEFAULT_PORTS } from '../../shared/ports.js';
import { defineVerb } from '../verb.js';
import { SENDER_OPTIONS } from './tickle-options.js';

export const wakeVerb = defineVerb({
  name: 'wake',
  summary: `wake agents: magic packets on UDP ${DEFAULT_PORTS.port('ns-multicast')}, a relay request on TCP ${DEFAULT_PORTS.port('ns-tickle')}, or a multicast wake`,
  options: {
    ...COMMON_OPTIONS, ...PORT_OPTIONS, ...SENDER_OPTIONS,
    mac: { type: 'list', arg: 'MAC,...', help: 'MAC addresses to wake' },
    to: { type: 'address', arg: 'IP', help: 'send magic packets to this address instead of the multicast group' },
    relay: { type: 'address', arg: 'IP', help: 'ask the agent at IP to send the magic packet (relay WOL request)' },
    multicast: { type: 'bool', default: false, help: 'one multicast power-management wake listing the MACs (smp-lab extension)' },
  },
  async run(config, _pos, ctx) {
    const { resolvePorts } = await import('../../shared/ports.js');
    const { FleetIdentities } = await import('../../agent/fleet/identity.js');
    const ports = resolvePorts({ offset: config.portOffset, perFlow: config.port ?? {} });
    const { isMac } = await import('../../shared/protocol/magic-packet.js');
    const macs = [...(config.mac ?? [])];
    const bad = macs.find((m) => !isMac(m));
    if (bad !== undefined) throw configError('--mac', bad, 'a MAC address such as 00:11:22:33:44:55');
    if (config.fleetCount !== undefined) {
      const ids = new FleetIdentities({ seed: config.seed, ipBase: config.ipBase });
      for (let i = 0; i < config.fleetCount; i++) macs.push(ids.mac(i));
    }
    if (macs.length === 0) throw configError('targets', '', '--mac or --fleet-count');
    const hmacKey = config.hmacKey ? Buffer.from(config.hmacKey) : undefined;
    const flow = ports.flow('ns-multicast');
    const udpPort = ports.port('ns-multicast');
    if (config.relay !== undefined) {
      const { sendRelayWake } = await import('../../server/ns/tickle/tcp-sender.js');
      const { ZERO_GUID, Command } = await import('../../shared/protocol/tickle.js');
      let ok = 0;
      for (const mac of macs) {
        const o = await sendRelayWake(config.relay, mac, ZERO_GUID, {
          serverName: config.serverName, commands: Command.REQUEST_CONFIGURATION, port: ports.port('ns-tickle'), ...(hmacKey ? { hmacKey } : {}),
        });
        if (o === 'delivered') ok += 1;
        else ctx.stderr.write(`wake: relay ${config.relay} for ${mac}: ${o}\n`);
      }
      ctx.stdout.write(`wake: ${ok}/${macs.length} relay request(s) delivered to ${config.relay}:${ports.port('ns-tickle')}\n`);
      return ok === macs.length ? 0 : 1;
    }
    if (config.multicast) {
      const { sendMulticastTickle } = await import('../../server/ns/tickle/udp-sender.js');
      const { Command } = await import('../../shared/protocol/tickle.js');
      const n = await sendMulticastTickle({ ips: [], guids: [], macs }, {
        address: flow.group ?? '', port: udpPort, ...(config.interface ? { interfaceAddress: config.interface } : {}),
        serverName: config.serverName,
        commands: Command.WAKE, ...(hmacKey ? { hmacKey } : {}),
      });
      ctx.stdout.write(`wake: multicast power-management wake, ${n} datagram(s), ${macs.length} MAC(s) to ${flow.group}:${udpPort}\n`);
      return 0;
    }
    const { sendMagicPackets } = await import('../../server/ns/tickle/udp-sender.js');
    const address = config.to ?? flow.group ?? '';
    const n = await sendMagicPackets(macs, { address, port: udpPort, ...(config.interface ? { interfaceAddress: config.interface } : {}) });
    const via = config.interface ?? (config.to === undefined ? '127.0.0.1' : 'the route\'s source address');
    ctx.stdout.write(`wake: ${n} magic packet(s) to ${address}:${udpPort} via ${via}\n`);
    return 0;
  },
});
