// POST /Altiris/Console/api/tickle: the console's "tickle / wake these computers" action. Unicast
// TCP tickles to listed addresses, a multicast tickle (listed GUIDs/addresses, or all), and magic
// packets for listed MACs, to the group or (wakeTo) unicast to one agent's address, maybe across a router;
// JSON in, JSON out. Sends only to the addresses and group it is given.
import { smpError } from '../../../shared/errors.js';
import { Command } from '../../../shared/protocol/tickle.js';
import { defineNsPlugin, type NsContext } from '../context.js';
import { jsonErrorHandler } from '../http-errors.js';
import { sendTickles, type TickleSummary } from './tcp-sender.js';
import { isMulticastAddress, sendMagicPackets, sendMulticastTickle } from './udp-sender.js';
import { isIPv4 } from 'node:net';

export interface NsTickleOptions {
  /** Server name inside every tickle (agents compare it with their trusted server). */
  readonly serverName?: string;
  readonly hmacKey?: Buffer;
  /** Interface (and source) address of multicast sends; 127.0.0.1 by default. */
  readonly interfaceAddress?: string;
  /** Ports when no PortMap is given (tests): TCP tickle and UDP power-management port. */
  readonly ticklePort?: number;
  readonly wakePort?: number;
}

export const DEFAULT_TICKLE_SERVER_NAME = 'SMP-LAB-NS';
const MAX_TARGETS = 100_000;
const COMMANDS: Record<string, number> = { inventory: Command.SEND_BASIC_INVENTORY, config: Command.REQUEST_CONFIGURATION, 'power-off': Command.POWER_OFF };

interface TickleBody {
  ips?: unknown; guids?: unknown; macs?: unknown; all?: unknown; multicast?: unknown; commands?: unknown; wakeTo?: unknown;
}

/** The optional unicast destination of the magic packets: one dotted IPv4 address. */
function wakeTo(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !isIPv4(v) || isMulticastAddress(v)) {
    throw smpError('BAD_INPUT', 'wakeTo must be a unicast IPv4 address such as 10.62.0.5');
  }
  return v;
}

function strings(v: unknown, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > MAX_TARGETS || v.some((x) => typeof x !== 'string' || x.length > 64)) {
    throw smpError('BAD_INPUT', `${field} must be an array of at most ${MAX_TARGETS} strings`);
  }
  return v as string[];
}

function ports(ctx: NsContext, o: NsTickleOptions): { tcp: number; udp: number; group: string } {
  const map = ctx.options.ports;
  return {
    tcp: o.ticklePort ?? map?.port('ns-tickle') ?? 0,
    udp: o.wakePort ?? map?.port('ns-multicast') ?? 0,
    group: map?.flow('ns-multicast').group ?? '224.0.255.135',
  };
}

export const ticklePlugin = defineNsPlugin({
  name: 'tickle',
  prefix: '/Altiris/Console/api/tickle',
  async register(scope, ctx) {
    scope.setErrorHandler(jsonErrorHandler);
    const o: NsTickleOptions = ctx.options.tickle ?? {};
    scope.post<{ Body: TickleBody }>('/', async (req) => {
      const b = (req.body ?? {}) as TickleBody;
      if (typeof b !== 'object' || b === null) throw smpError('BAD_INPUT', 'body must be a JSON object');
      const ips = strings(b.ips, 'ips');
      const guids = strings(b.guids, 'guids');
      const macs = strings(b.macs, 'macs');
      const unicastWake = wakeTo(b.wakeTo);
      const names = strings(b.commands ?? ['config'], 'commands');
      let commands = 0;
      for (const c of names) {
        const bit = COMMANDS[c];
        if (bit === undefined) throw smpError('BAD_INPUT', `command ${JSON.stringify(c)} unknown; one of ${Object.keys(COMMANDS).join(', ')}`);
        commands |= bit;
      }
      const p = ports(ctx, o);
      if (p.tcp === 0 || p.udp === 0) throw smpError('INTERNAL', 'the NS has no tickle ports configured');
      const serverName = o.serverName ?? DEFAULT_TICKLE_SERVER_NAME;
      const iface = o.interfaceAddress ?? '127.0.0.1';
      const key = o.hmacKey ? { hmacKey: o.hmacKey } : {};
      const result: { tcp?: TickleSummary; multicastDatagrams?: number; magicPackets?: number } = {};
      const multicast = b.multicast === true || b.all === true || guids.length > 0;
      if (multicast) {
        result.multicastDatagrams = await sendMulticastTickle(b.all === true ? 'all' : { ips, guids, macs: [] },
          { address: p.group, port: p.udp, interfaceAddress: iface, serverName, commands, ...key });
      } else if (ips.length > 0) {
        result.tcp = await sendTickles(ips.map((ip) => ({ ip })), { serverName, commands, port: p.tcp, ...key });
      }
      if (macs.length > 0) {
        // Unicast: the configured interface address when one is set, otherwise the route's source address.
        const to = unicastWake === undefined ? { address: p.group, interfaceAddress: iface }
          : { address: unicastWake, ...(o.interfaceAddress ? { interfaceAddress: o.interfaceAddress } : {}) };
        result.magicPackets = await sendMagicPackets(macs, { ...to, port: p.udp });
      }
      if (!multicast && ips.length === 0 && macs.length === 0) throw smpError('MISSING_PARAMETER', 'name targets: ips, guids, macs or all');
      req.log.info({ serverName, commands, ips: ips.length, guids: guids.length, macs: macs.length, all: b.all === true }, 'tickle sent');
      return result;
    });
  },
});
