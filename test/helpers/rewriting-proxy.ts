// A reverse proxy in front of a real NS for tests that need a server to lie: every request is
// forwarded over a real socket (keeping the caller's headers), and `rewrite` may change the answer
// body of chosen paths. Extra routes (`extra`) answer without the NS. Listens on 127.0.0.1:0.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface ProxyRule {
  /** Called with the path and query of each request; a string replaces the NS's answer body. */
  rewrite?(path: string, body: Buffer, status: number): Buffer | undefined;
  /** Answers a request itself (true) or lets it through (false). */
  extra?(req: IncomingMessage, res: ServerResponse, forward: (path: string) => Promise<{ status: number; body: Buffer }>): Promise<boolean>;
}

export interface RewritingProxy {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startRewritingProxy(target: string, rule: ProxyRule): Promise<RewritingProxy> {
  const t = new URL(target);
  const forward = (req: IncomingMessage, path: string, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers };
      delete headers['content-length'];
      const out = request({ host: t.hostname, port: t.port, path, method: req.method, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const path = req.url ?? '/';
        if (rule.extra && await rule.extra(req, res, (p) => forward(req, p, Buffer.alloc(0)))) return;
        const r = await forward(req, path, body);
        const out = rule.rewrite?.(path, r.body, r.status) ?? r.body;
        const headers = { ...r.headers, 'content-length': String(out.length) };
        delete headers['transfer-encoding'];
        res.writeHead(r.status, headers).end(out);
      })().catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`, port,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
