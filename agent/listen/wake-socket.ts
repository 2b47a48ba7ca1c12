// The fleet's ONE UDP socket on the power-management port (52029 by default), joined to the tickle
// multicast group on one interface: multicast tickles name their targets (addresses, GUIDs, MACs, or
// all), magic packets name a MAC. Datagrams are bounded by UDP itself; bad ones are counted, never thrown.
import { createSocket, type Socket } from 'node:dgram';
import { smpError } from '../../shared/errors.js';
import { Command, decodeTickleDatagram, TickleType, verifyTickleHmac, type DecodedTickle } from '../../shared/protocol/tickle.js';
import { decodeMagicPacket, isMagicPacket } from '../../shared/protocol/magic-packet.js';
import type { InboundCounters, InboundSink } from './inbound.js';

export interface WakeSocketOptions {
  readonly port: number;
  /** Multicast group to join (224.0.255.135 from the catalog). */
  readonly group: string;
  /** Interface address the group is joined on and relayed magic packets leave from. */
  readonly interfaceAddress: string;
  readonly sink: InboundSink;
  readonly counters: InboundCounters;
  readonly hmacKey?: Buffer;
}

export class WakeSocket {
  private readonly socket: Socket;
  private readonly opts: WakeSocketOptions;
  private boundPort = 0;

  constructor(opts: WakeSocketOptions) {
    this.opts = opts;
    this.socket = createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: 8 * 1024 * 1024 });
    this.socket.on('message', (msg) => this.receive(msg));
    this.socket.on('error', () => this.opts.counters.drop('malformed'));
  }

  async listen(): Promise<{ port: number; group: string }> {
    await new Promise<void>((resolve, reject) => {
      const onErr = (err: NodeJS.ErrnoException) => reject(smpError('BIND', `wake socket cannot bind UDP ${this.opts.port}: ${err.code ?? err.message}`, { port: this.opts.port }, err));
      this.socket.once('error', onErr);
      // Bound to the wildcard address: a socket bound to one unicast address never sees multicast.
      this.socket.bind({ port: this.opts.port, address: '0.0.0.0', exclusive: false }, () => {
        this.socket.off('error', onErr);
        resolve();
      });
    });
    try {
      this.socket.addMembership(this.opts.group, this.opts.interfaceAddress);
      this.socket.setMulticastInterface(this.opts.interfaceAddress);
      this.socket.setMulticastTTL(1);
      this.socket.setMulticastLoopback(true);
    } catch (err) {
      this.socket.close();
      throw smpError('ENVIRONMENT', `cannot join ${this.opts.group} on ${this.opts.interfaceAddress}: ${(err as Error).message}`, {}, err);
    }
    this.boundPort = this.socket.address().port;
    return { port: this.boundPort, group: this.opts.group };
  }

  get port(): number {
    return this.boundPort;
  }

  /** A relay agent's magic packet to its subnet: the group, from the fleet's interface, TTL 1. */
  sendMagic(packet: Buffer): void {
    this.socket.send(packet, this.boundPort, this.opts.group);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private receive(msg: Buffer): void {
    const { counters } = this.opts;
    if (isMagicPacket(msg)) return this.magic(msg);
    let m: DecodedTickle;
    try {
      m = decodeTickleDatagram(msg);
    } catch {
      return counters.drop('malformed');
    }
    if (m.type !== TickleType.MULTICAST) return counters.drop('malformed');
    counters.received.multicast += 1;
    if (this.opts.hmacKey) {
      if (!m.signed) return counters.drop('unsigned');
      if (!verifyTickleHmac(msg, m, this.opts.hmacKey)) return counters.drop('bad-hmac');
    }
    this.multicast(m);
  }

  private multicast(m: DecodedTickle): void {
    const { sink, counters } = this.opts;
    const wake = (m.commands & Command.WAKE) !== 0;
    const act = (index: number): void => {
      if (index < 0) return counters.drop('unknown-agent');
      if (wake && !sink.isAwake(index)) {
        // The NIC of a sleeping computer listens; the name check still applies.
        if (m.serverName.toLowerCase() !== sink.trustedServer(index).toLowerCase()) return counters.drop('untrusted-server');
        counters.acted.multicast += 1;
        return sink.onWake(index, 'multicast');
      }
      if (!sink.isAwake(index)) return counters.drop('asleep');
      if (m.serverName.toLowerCase() !== sink.trustedServer(index).toLowerCase()) return counters.drop('untrusted-server');
      counters.acted.multicast += 1;
      sink.onTickle(index, m.commands, 'multicast');
    };
    if (m.all) return sink.forEachIndex(act);
    const t = m.targets;
    if (t === undefined) return;
    for (const ip of t.ips) act(sink.indexOfIp(ip));
    for (const g of t.guids) act(sink.indexOfGuid(g));
    for (const mac of t.macs) act(sink.indexOfMac(mac));
  }

  private magic(msg: Buffer): void {
    const { sink, counters } = this.opts;
    let mac: string;
    try {
      mac = decodeMagicPacket(msg).mac;
    } catch {
      return counters.drop('malformed');
    }
    counters.received.magic += 1;
    const index = sink.indexOfMac(mac);
    if (index < 0) return counters.drop('unknown-agent');
    counters.acted.magic += 1;
    sink.onWake(index, 'magic');
  }
}
