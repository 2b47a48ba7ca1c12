// The NS's unicast tickle sender: one TCP connection per target to its tickle port (52028 by default),
// one message, then close, as the NS tickles an agent directly. Also the relay wake request.
// Never retries on its own and never sends anywhere but the address it is given.
import { connect } from 'node:net';
import { encodeTickle, TickleType, ZERO_GUID } from '../../../shared/protocol/tickle.js';

export type TickleOutcome = 'delivered' | 'refused' | 'reset' | 'timeout' | 'error';

export interface TickleSendOptions {
  readonly serverName: string;
  readonly commands: number;
  readonly port: number;
  readonly hmacKey?: Buffer;
  readonly timeoutMs?: number;
  /** Source address to send from (the NS's own address). */
  readonly localAddress?: string;
}

export interface TickleTarget {
  readonly ip: string;
  readonly guid?: string;
}

/** Sends one framed message to host:port and waits until the peer has closed (or failed). */
export function sendFrame(host: string, frame: Buffer, opts: Pick<TickleSendOptions, 'port' | 'timeoutMs' | 'localAddress'>): Promise<TickleOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let wrote = false;
    const s = connect({ host, port: opts.port, noDelay: true, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    const done = (o: TickleOutcome): void => {
      if (settled) return;
      settled = true;
      s.destroy();
      resolve(o);
    };
    s.setTimeout(opts.timeoutMs ?? 5000, () => done('timeout'));
    s.on('connect', () => {
      s.end(frame, () => (wrote = true));
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      done(err.code === 'ECONNREFUSED' ? 'refused' : err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : err.code === 'ETIMEDOUT' ? 'timeout' : 'error');
    });
    s.on('close', () => done(wrote ? 'delivered' : 'reset'));
    s.resume();
  });
}

export function sendTickle(target: TickleTarget, opts: TickleSendOptions): Promise<TickleOutcome> {
  const frame = encodeTickle({
    type: TickleType.TICKLE, commands: opts.commands, serverName: opts.serverName, guid: target.guid ?? ZERO_GUID,
  }, opts.hmacKey ? { hmacKey: opts.hmacKey } : {});
  return sendFrame(target.ip, frame, opts);
}

/** Asks the relay agent at `relayIp` to send a magic packet for `mac` to its subnet. */
export function sendRelayWake(relayIp: string, mac: string, guid: string, opts: TickleSendOptions): Promise<TickleOutcome> {
  const frame = encodeTickle({ type: TickleType.RELAY_WAKE, commands: opts.commands, serverName: opts.serverName, guid, mac },
    opts.hmacKey ? { hmacKey: opts.hmacKey } : {});
  return sendFrame(relayIp, frame, opts);
}

export interface TickleSummary {
  readonly sent: number;
  readonly outcomes: Record<TickleOutcome, number>;
  readonly ms: number;
}

/** Tickles many targets with at most `concurrency` connections open at once. */
export async function sendTickles(targets: readonly TickleTarget[], opts: TickleSendOptions, concurrency = 512): Promise<TickleSummary> {
  const start = performance.now();
  const outcomes: Record<TickleOutcome, number> = { delivered: 0, refused: 0, reset: 0, timeout: 0, error: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const t = targets[next++]!;
      outcomes[await sendTickle(t, opts)] += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  return { sent: targets.length, outcomes, ms: performance.now() - start };
}
