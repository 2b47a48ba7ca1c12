// One HTTP/1.1 request written byte for byte on a TCP or TLS socket (no URL normalisation, so
// `..` and odd encodings reach the server as written); reads until the server closes.
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface RawReply {
  readonly status: number;
  readonly head: string;
  readonly body: string;
}

export function rawRequest(base: string, path: string, opts: { method?: string; headers?: Record<string, string>; ca?: string; ms?: number } = {}): Promise<RawReply> {
  const url = new URL(base);
  const port = Number(url.port);
  return new Promise((resolve, reject) => {
    const extra = Object.entries(opts.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    const req = `${opts.method ?? 'GET'} ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${extra}Connection: close\r\n\r\n`;
    const s = url.protocol === 'https:'
      ? tlsConnect({ host: url.hostname, port, ca: opts.ca, servername: 'localhost' }, () => s.write(req))
      : tcpConnect(port, url.hostname, () => s.write(req));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer to ${path} within ${opts.ms ?? 5000} ms`));
    }, opts.ms ?? 5000);
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    s.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const cut = text.indexOf('\r\n\r\n');
      const head = cut === -1 ? text : text.slice(0, cut);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: cut === -1 ? '' : text.slice(cut + 4) });
    });
  });
}
