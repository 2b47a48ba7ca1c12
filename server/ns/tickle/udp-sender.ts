// The NS's multicast tickle and wake-on-LAN senders on UDP (52029 by default). A multicast send is bound
// to the given interface address, sets it as the multicast interface and TTL 1, so nothing leaves the
// interface it names (loopback by default). A unicast send (a magic packet to one agent's address, maybe
// across a router) binds the given address or lets the route choose. Large target lists span datagrams.
import { createSocket, type Socket } from 'node:dgram';
import { randomUUID } from 'node:crypto';
import { encodeTickle, TickleType, type TickleTargets } from '../../../shared/protocol/tickle.js';
import { encodeMagicPacket } from '../../../shared/protocol/magic-packet.js';

export interface UdpSendOptions {
  /** Destination: the multicast group or a unicast address. */
  readonly address: string;
  readonly port: number;
  /** Interface (and source) address; for multicast 127.0.0.1 by default, for unicast the route's choice. */
  readonly interfaceAddress?: string;
}

/** 224.0.0.0/4. */
export function isMulticastAddress(ip: string): boolean {
  const first = Number(ip.split('.')[0]);
  return first >= 224 && first <= 239;
}

export interface MulticastTickleOptions extends UdpSendOptions {
  readonly serverName: string;
  readonly commands: number;
  readonly hmacKey?: Buffer;
  /** Target entries per datagram (4-16 bytes each); the default keeps a datagram under 32 KiB. */
  readonly perDatagram?: number;
}

async function openSocket(iface: string | undefined, multicast: boolean): Promise<Socket> {
  const s = createSocket({ type: 'udp4', sendBufferSize: 4 * 1024 * 1024 });
  const address = iface ?? (multicast ? '127.0.0.1' : '0.0.0.0');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind({ address, port: 0 }, () => {
      s.off('error', reject);
      resolve();
    });
  });
  s.setBroadcast(false);
  if (!multicast) return s;
  s.setMulticastInterface(address);
  s.setMulticastTTL(1);
  s.setMulticastLoopback(true);
  return s;
}

async function sendAll(datagrams: readonly Buffer[], o: UdpSendOptions): Promise<number> {
  const s = await openSocket(o.interfaceAddress, isMulticastAddress(o.address));
  try {
    for (const d of datagrams) {
      await new Promise<void>((resolve, reject) => s.send(d, o.port, o.address, (err) => (err ? reject(err) : resolve())));
    }
  } finally {
    s.close();
  }
  return datagrams.length;
}

/** Multicast tickle to the listed agents (or every listening agent with `all`); returns datagrams sent. */
export function sendMulticastTickle(targets: TickleTargets | 'all', o: MulticastTickleOptions): Promise<number> {
  const guid = randomUUID().toUpperCase();
  const enc = (t: TickleTargets, all: boolean) => encodeTickle({
    type: TickleType.MULTICAST, commands: o.commands, serverName: o.serverName, guid, targets: t, all,
  }, o.hmacKey ? { hmacKey: o.hmacKey } : {});
  if (targets === 'all') return sendAll([enc({ ips: [], guids: [], macs: [] }, true)], o);
  const per = o.perDatagram ?? 2000;
  const datagrams: Buffer[] = [];
  const chunk = <T>(list: readonly T[]): T[][] => {
    const out: T[][] = [];
    for (let i = 0; i < list.length; i += per) out.push(list.slice(i, i + per));
    return out;
  };
  for (const ips of chunk(targets.ips)) datagrams.push(enc({ ips, guids: [], macs: [] }, false));
  for (const guids of chunk(targets.guids)) datagrams.push(enc({ ips: [], guids, macs: [] }, false));
  for (const macs of chunk(targets.macs)) datagrams.push(enc({ ips: [], guids: [], macs }, false));
  return sendAll(datagrams, o);
}

/** Standard magic packets, one per MAC, to a unicast address or the group; returns datagrams sent. */
export function sendMagicPackets(macs: readonly string[], o: UdpSendOptions): Promise<number> {
  return sendAll(macs.map((m) => encodeMagicPacket(m)), o);
}
