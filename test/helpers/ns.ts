// Starts a Notification Server in-process on ephemeral ports (HTTP and HTTPS with a throw-away
// certificate) and gives a tiny client that talks to it over real sockets.
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNotificationServer, type NotificationServer } from '../../server/ns/server.js';
import type { NsOptions } from '../../server/ns/options.js';
import { adminHeaders, TEST_CONSOLE_PASSWORD } from './console-credentials.js';
import { selfSignedCert, type TestCert } from './self-signed.js';

let cached: TestCert | undefined;
export const testCert = (): TestCert => (cached ??= selfSignedCert());

export interface TestNs {
  readonly ns: NotificationServer;
  readonly http: string;
  readonly https: string;
  readonly dataDir: string;
  readonly cert: TestCert;
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startTestNs(opts: NsOptions = {}, dataDir = mkdtempSync(join(tmpdir(), 'smp-ns-'))): Promise<TestNs> {
  const cert = testCert();
  const ns = await createNotificationServer({ httpPort: 0, httpsPort: 0, dataDir, tls: { cert: cert.cert, key: cert.key }, ...opts,
    console: { password: TEST_CONSOLE_PASSWORD, ...opts.console } });
  const a = await ns.listen();
  return {
    ns, dataDir, cert,
    http: `http://127.0.0.1:${a.http!.port}`,
    https: `https://127.0.0.1:${a.https!.port}`,
    async close(o = {}) {
      await ns.close();
      if (!o.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly text: string;
}

/** One request over a fresh connection; HTTPS trusts the test certificate. */
export function send(base: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  const url = new URL(path, base);
  const isHttps = url.protocol === 'https:';
  const body = init.body === undefined ? undefined : Buffer.isBuffer(init.body) ? init.body : Buffer.from(init.body);
  return new Promise((resolve, reject) => {
    const req = (isHttps ? httpsRequest : httpRequest)(url, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...init.headers },
      agent: false,
      ...(isHttps ? { ca: testCert().cert, servername: 'localhost' } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, text: b.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `send` with the test console credentials (admin API calls). */
export function sendAdmin(base: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  return send(base, path, { ...init, headers: adminHeaders(init.headers) });
}
