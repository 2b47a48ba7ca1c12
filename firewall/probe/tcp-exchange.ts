// One TCP conversation for the probe: connect (optionally TLS), send, read until the reader gives a
// verdict, all within one deadline, and classify transport failures (reset -> refused, silence ->
// timeout, unexpected answers -> mismatch). Never leaves a socket open after it settles.
import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { failed, mismatch, refused, timedOut, type Verdict } from '../probe-status.js';
import { errorText, preview } from './bytes-preview.js';

export const MAX_ANSWER = 64 * 1024;

export interface TlsFacts {
  readonly subject: string;
  /** Whether the chain verified against --ca; null when no --ca was given. */
  readonly chains: boolean | null;
  readonly why?: string;
}

export interface TcpTarget {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  /** Run TLS after connecting; `ca` is the PEM bundle to verify against. */
  readonly tls?: { readonly ca?: string };
}

/** Reads the bytes so far; returns a verdict, or null to wait for more. May write follow-ups. */
export type Reader = (buf: Buffer, write: (b: Buffer | string) => void, tls: TlsFacts | null) => Verdict | null;

export function tcpExchange(target: TcpTarget, first: Buffer | string | null, reader: Reader): Promise<Verdict> {
  return new Promise((resolve) => {
    let settled = false;
    let connected = false;
    let buf: Buffer = Buffer.alloc(0);
    let tlsFacts: TlsFacts | null = null;
    let stream: Socket | TLSSocket;
    const raw = connect({ host: target.host, port: target.port });
    stream = raw;
    const finish = (v: Verdict): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stream.destroy();
      raw.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => {
      if (!connected) finish(timedOut(`no answer to the TCP handshake within ${target.timeoutMs} ms (dropped on the way?)`));
      else if (buf.length === 0) finish(mismatch(`connection accepted but nothing answered within ${target.timeoutMs} ms`));
      else finish(mismatch(`no complete answer within ${target.timeoutMs} ms; saw "${preview(buf)}"`));
    }, target.timeoutMs);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > MAX_ANSWER) return finish(mismatch(`answer larger than ${MAX_ANSWER} bytes: "${preview(buf)}"`));
      try {
        const v = reader(buf, (b) => stream.write(b), tlsFacts);
        if (v !== null) finish(v);
      } catch (err) {
        finish(mismatch(`unexpected answer (${errorText(err)}): "${preview(buf)}"`));
      }
    };
    const onClose = (): void => {
      if (!connected) return;
      finish(buf.length === 0
        ? mismatch('connection accepted, then closed without an answer')
        : mismatch(`connection closed before a complete answer; saw "${preview(buf)}"`));
    };
    raw.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected) return finish(connectFailure(err));
      finish(err.code === 'ECONNRESET' ? mismatch(`connection reset after connecting; saw "${preview(buf)}"`) : failed(errorText(err)));
    });
    raw.once('connect', () => {
      connected = true;
      if (target.tls === undefined) {
        raw.on('data', onData);
        raw.on('close', onClose);
        if (first !== null) raw.write(first);
        return;
      }
      const ca = target.tls.ca;
      // The chain is judged against --ca; the name is not (lab certificates rarely name the probe's view of the peer).
      const secure = tlsConnect({
        socket: raw, rejectUnauthorized: false, checkServerIdentity: () => undefined,
        ...(isIP(target.host) === 0 ? { servername: target.host } : {}), ...(ca !== undefined ? { ca } : {}),
      });
      stream = secure;
      secure.on('error', (err) => finish(mismatch(`TLS handshake failed: ${errorText(err)}`)));
      secure.once('secureConnect', () => {
        tlsFacts = tlsFactsOf(secure.getPeerCertificate(), ca === undefined ? null : secure.authorized, secure.authorizationError);
        secure.on('data', onData);
        secure.on('close', onClose);
        if (first !== null) secure.write(first);
      });
    });
  });
}

function tlsFactsOf(cert: PeerCertificate, chains: boolean | null, err: Error | null | undefined): TlsFacts {
  const subject = cert?.subject ? Object.entries(cert.subject).map(([k, v]) => `${k}=${String(v)}`).join(', ') : '(no certificate)';
  return { subject, chains, ...(err ? { why: String(err) } : {}) };
}

/** Why a TCP connect failed, as a status. */
export function connectFailure(err: NodeJS.ErrnoException): Verdict {
  switch (err.code) {
    case 'ECONNREFUSED':
      return refused('connection refused (TCP reset: nothing listens there, or a reject rule)');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return refused(`${err.code}: ICMP unreachable (no route, or a reject rule such as admin-prohibited)`);
    case 'ETIMEDOUT':
      return timedOut('no answer to the TCP handshake (dropped on the way?)');
    default:
      return failed(errorText(err));
  }
}
