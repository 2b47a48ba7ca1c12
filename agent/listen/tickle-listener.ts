// The fleet's ONE TCP tickle listener (52028 by default): each connection is one tickle; the agent is
// the one owning the connection's local address. Bound to 0.0.0.0 it still answers only the fleet's
// addresses: a connection to any other local address is reset at once, as a port nobody listens on.
// Never trusts the peer: bounded bytes, a deadline per connection, server-name and optional HMAC checks.
// A firewall probe's handshake line (smp-lab probe --role ns) gets the answer `smp-lab respond` would give.
import { createServer, type Server, type Socket } from 'node:net';
import type { AppProtocol } from '../../shared/catalog-types.js';
import { smpError } from '../../shared/errors.js';
import {
  TickleType, tryDecodeTickle, verifyTickleHmac, ZERO_GUID, type DecodedTickle,
} from '../../shared/protocol/tickle.js';
import { encodeMagicPacket } from '../../shared/protocol/magic-packet.js';
import { decodeProbeRequest, encodeProbeAck, firstLine } from '../../shared/protocol/probe-handshake.js';
import type { InboundCounters, InboundSink } from './inbound.js';

/** A tickle is a few hundred bytes; anything past this is not a tickle. */
const MAX_TCP_BYTES = 4096;
const TICKLE_PROTOCOL: AppProtocol = 'smp-tickle';
const PROBE_MAGIC = Buffer.from('SMPLAB-PROBE/', 'ascii');

/** The start of a probe handshake line (maybe still arriving); a tickle frame never starts so. */
function startsWithProbe(buf: Buffer): boolean {
  const n = Math.min(buf.length, PROBE_MAGIC.length);
  return buf.subarray(0, n).equals(PROBE_MAGIC.subarray(0, n));
}

export interface TickleListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly sink: InboundSink;
  readonly counters: InboundCounters;
  /** Shared HMAC key: when set, only signed tickles with a good HMAC are obeyed. */
  readonly hmacKey?: Buffer;
  /** Per-connection deadline. */
  readonly timeoutMs?: number;
  /** Sends a relay's magic packet to the subnet (the fleet's wake socket does this). */
  readonly relayWake?: (magic: Buffer) => void;
  readonly maxConnections?: number;
}

export class TickleListener {
  private readonly server: Server;
  private readonly opts: TickleListenerOptions;
  private readonly sockets = new Set<Socket>();

  constructor(opts: TickleListenerOptions) {
    this.opts = opts;
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (s) => this.accept(s));
    this.server.maxConnections = opts.maxConnections ?? 8192;
  }

  async listen(): Promise<{ address: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      const onErr = (err: NodeJS.ErrnoException) => reject(smpError('BIND', `tickle listener cannot bind ${this.opts.host}:${this.opts.port}: ${err.code ?? err.message}`, { port: this.opts.port }, err));
      this.server.once('error', onErr);
      this.server.listen({ host: this.opts.host, port: this.opts.port, backlog: 4096 }, () => {
        this.server.off('error', onErr);
        resolve();
      });
    });
    return this.address();
  }

  address(): { address: string; port: number } {
    const a = this.server.address();
    if (a === null || typeof a === 'string') throw smpError('INTERNAL', 'tickle listener not bound');
    return { address: a.address, port: a.port };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(s: Socket): void {
    const { sink, counters } = this.opts;
    const local = s.localAddress ?? '';
    const index = sink.indexOfIp(local);
    if (index < 0) {
      counters.drop('unknown-agent');
      s.resetAndDestroy();
      return;
    }
    if (!sink.isAwake(index)) {
      // A computer that is off does not answer: the sender sees a reset, as it would a dead host.
      counters.drop('asleep');
      s.resetAndDestroy();
      return;
    }
    this.sockets.add(s);
    let buf: Buffer = Buffer.alloc(0);
    let done = false;
    const finish = (): void => {
      done = true;
      this.sockets.delete(s);
      s.end();
      s.destroy();
    };
    s.setTimeout(this.opts.timeoutMs ?? 5000, () => {
      if (!done) counters.drop('timeout');
      finish();
    });
    s.on('error', () => finish());
    s.on('close', () => this.sockets.delete(s));
    s.on('end', () => {
      if (!done) counters.drop('malformed');
      finish();
    });
    s.on('data', (chunk: Buffer) => {
      if (done) return;
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      try {
        if (buf.length > MAX_TCP_BYTES) throw smpError('FRAME_TOO_LARGE', 'tickle connection sent too much');
        if (startsWithProbe(buf)) {
          // A firewall probe (`smp-lab probe --role ns`) reached this agent: answer it as `respond` would.
          const line = firstLine(buf);
          if (line === null) return;
          const req = decodeProbeRequest(line);
          done = true;
          s.end(encodeProbeAck({ flowId: req.flowId, nonce: req.nonce, roles: ['agent'], protocol: TICKLE_PROTOCOL }));
          return;
        }
        const m = tryDecodeTickle(buf);
        if (m === null) return;
        counters.received.tcp += 1;
        this.obey(index, m, buf.subarray(0, m.length));
      } catch {
        counters.drop('malformed');
      }
      finish();
    });
  }

  private obey(index: number, m: DecodedTickle, raw: Buffer): void {
    const { sink, counters, hmacKey } = this.opts;
    if (m.serverName.toLowerCase() !== sink.trustedServer(index).toLowerCase()) return counters.drop('untrusted-server');
    if (hmacKey) {
      if (!m.signed) return counters.drop('unsigned');
      if (!verifyTickleHmac(raw, m, hmacKey)) return counters.drop('bad-hmac');
    }
    if (m.type === TickleType.TICKLE) {
      if (m.guid !== ZERO_GUID && sink.indexOfGuid(m.guid) !== index) return counters.drop('unknown-agent');
      counters.acted.tcp += 1;
      sink.onTickle(index, m.commands, 'tcp');
    } else if (m.type === TickleType.RELAY_WAKE && m.mac !== undefined) {
      // This agent acts as the wake-on-LAN relay for its subnet.
      counters.acted.relay += 1;
      this.opts.relayWake?.(encodeMagicPacket(m.mac));
    } else {
      counters.drop('malformed'); // multicast framing does not belong on TCP
    }
  }
}

