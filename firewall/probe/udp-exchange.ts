// One UDP request/answer for the probe: a connected socket (so an ICMP port unreachable comes back
// as "refused"), the request resent a few times within the deadline, the first answer the checker
// accepts wins. Multicast requests leave by the given interface with TTL 1 and are answered by
// unicast. Never sends anywhere but the target (or the group on the chosen interface).
import { createSocket, type RemoteInfo } from 'node:dgram';
import { failed, mismatch, refused, timedOut, type Verdict } from '../probe-status.js';
import { errorText, preview } from './bytes-preview.js';

export interface UdpTarget {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  /** Send to this group from `iface` instead of to host (answers still come by unicast). */
  readonly multicast?: { readonly group: string; readonly iface: string };
}

/** A verdict for an answer, or null when the datagram is not the answer to this request. */
export type Checker = (msg: Buffer, from: RemoteInfo) => Verdict | null;

const TRIES = 3;

export function udpExchange(target: UdpTarget, request: Buffer, check: Checker): Promise<Verdict> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    let settled = false;
    let seen: Buffer | null = null;
    const timers: NodeJS.Timeout[] = [];
    const finish = (v: Verdict): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      try {
        socket.close();
      } catch {
        // already closed after an error
      }
      resolve(v);
    };
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') finish(refused('ICMP port unreachable (nothing listens there, or a reject rule)'));
      else if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') finish(refused(`${err.code}: ICMP unreachable (no route, or a reject rule)`));
      else finish(failed(errorText(err)));
    });
    socket.on('message', (msg, from) => {
      let v: Verdict | null;
      try {
        v = check(msg, from);
      } catch (err) {
        v = mismatch(`unexpected answer from ${from.address}:${from.port} (${errorText(err)}): "${preview(msg)}"`);
      }
      if (v === null) seen = msg;
      else finish(v);
    });
    const send = (): void => {
      if (settled) return;
      const done = (err: Error | null): void => {
        if (err) socket.emit('error', err);
      };
      if (target.multicast) socket.send(request, target.port, target.multicast.group, done);
      else socket.send(request, done);
    };
    const start = (): void => {
      for (let i = 0; i < TRIES; i++) timers.push(setTimeout(send, (i * target.timeoutMs) / TRIES));
      timers.push(setTimeout(() => finish(seen
        ? mismatch(`only unrelated answers within ${target.timeoutMs} ms: "${preview(seen)}"`)
        : timedOut(target.multicast
          ? `the group message got no answer within ${target.timeoutMs} ms (not delivered, or no member listens)`
          : `no answer within ${target.timeoutMs} ms (dropped on the way, or nothing answers there)`)), target.timeoutMs));
    };
    if (target.multicast) {
      const mc = target.multicast;
      socket.bind(0, mc.iface, () => {
        socket.setMulticastInterface(mc.iface);
        socket.setMulticastTTL(1);
        socket.setMulticastLoopback(true);
        start();
      });
    } else {
      // A failed lookup comes to this callback, not to 'error': sending then would crash the process.
      socket.connect(target.port, target.host, (err?: Error) => {
        if (err) finish(failed(`cannot reach ${target.host}: ${errorText(err)}`));
        else start();
      });
    }
  });
}
