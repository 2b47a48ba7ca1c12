// Reads an HTTP/1.x answer for the probe and judges it against the flow: a real SMP page with the
// smp-lab signature (or a real IIS NS asking for Windows authentication), else a mismatch that says
// what answered. Pure: bytes in, verdict out; bounded by the caller's answer limit.
import type { ResolvedFlow } from '../../shared/catalog-types.js';
import { NS_PAGE, NS_PAGE_ANSWER, SIGNATURE_HEADER, type HttpProbeRequest } from '../http-routes.js';
import { mismatch, pass, type Verdict } from '../probe-status.js';
import { preview } from './bytes-preview.js';
import type { TlsFacts } from './tcp-exchange.js';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

/** The answer once complete (head plus content-length body, or the head alone), else null. */
export function parseHttpAnswer(buf: Buffer, closed = false): HttpAnswer | 'not-http' | null {
  if (buf.length >= 5 && !buf.subarray(0, 5).equals(Buffer.from('HTTP/'))) return 'not-http';
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
  if (!Number.isInteger(status)) return 'not-http';
  const headers = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
  }
  const length = Number(headers.get('content-length') ?? NaN);
  const body = buf.subarray(end + 4);
  if (Number.isInteger(length) && body.length < length && !closed) return null;
  return { status, headers, body: Number.isInteger(length) ? body.subarray(0, length) : body };
}

export function requestBytes(req: HttpProbeRequest, host: string): string {
  const body = req.body ?? '';
  return `${req.method} ${req.path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: smp-lab-probe/1\r\nConnection: close\r\n`
    + (req.body !== undefined ? `Content-Type: ${req.contentType ?? 'text/plain'}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` : '')
    + `\r\n${body}`;
}

function tlsNote(tls: TlsFacts | null): { text: string; bad: boolean } {
  if (tls === null) return { text: '', bad: false };
  if (tls.chains === null) return { text: `; TLS subject ${tls.subject} (chain not checked: no --ca)`, bad: false };
  return tls.chains
    ? { text: `; TLS subject ${tls.subject}, chains to --ca`, bad: false }
    : { text: `; TLS subject ${tls.subject} does NOT chain to --ca (${tls.why ?? 'unverified'})`, bad: true };
}

export function judgeHttp(flow: ResolvedFlow, req: HttpProbeRequest, a: HttpAnswer, tls: TlsFacts | null): Verdict {
  const t = tlsNote(tls);
  const server = a.headers.get('server') ?? 'no Server header';
  const sig = a.headers.get(SIGNATURE_HEADER);
  const what = `${req.method} ${req.path} -> HTTP ${a.status}`;
  if (sig !== undefined) {
    const roles = sig.split(',').map((r) => r.trim());
    if (!roles.includes(flow.listener)) return mismatch(`${what} from an smp-lab listener for ${sig}, not ${flow.listener}${t.text}`);
    if (a.status !== 200) return mismatch(`${what} from the smp-lab ${flow.listener} listener: the SMP page is missing${t.text}`);
    if (req.expectBody !== undefined && !a.body.includes(req.expectBody)) {
      return mismatch(`${what} without ${req.expectBody} in the body: "${preview(a.body)}"${t.text}`);
    }
    return t.bad ? mismatch(`${what}, ${SIGNATURE_HEADER}: ${sig}${t.text}`) : pass(`${what}, ${SIGNATURE_HEADER}: ${sig}${t.text}`);
  }
  if (flow.listener === 'ns' && req.path === NS_PAGE && a.status === 200 && a.body.toString('latin1').trim() === NS_PAGE_ANSWER) {
    return t.bad ? mismatch(`${what} "${NS_PAGE_ANSWER}"${t.text}`) : pass(`${what} "${NS_PAGE_ANSWER}": a Notification Server's ConnectionTest ping${t.text}`);
  }
  const iisAuth = a.status === 401 && /Microsoft-IIS/i.test(server) && /Negotiate|NTLM/i.test(a.headers.get('www-authenticate') ?? '');
  if (iisAuth && ['ns', 'ts', 'ps'].includes(flow.listener)) {
    return t.bad ? mismatch(`${what} (${server})${t.text}`) : pass(`${what}: IIS (${server}) asks for Windows authentication, as a real SMP server does${t.text}`);
  }
  return mismatch(`${what} from ${server} without the ${SIGNATURE_HEADER} signature: not an SMP ${flow.listener} listener${t.text}`);
}
