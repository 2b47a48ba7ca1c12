// A minimal HTTP endpoint serving one Prometheus registry at GET /metrics. Bounded: small header
// limit, request timeouts, no body read; any other path answers 404. Reports the port it bound.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { smpError } from '../../shared/errors.js';

/** What the endpoint serves: a prom-client Registry, or anything that renders the same text. */
export type MetricsSource = Pick<Registry, 'metrics' | 'contentType'>;

export interface MetricsServerOptions {
  readonly registry: MetricsSource;
  /** 0 = an ephemeral port. */
  readonly port: number;
  readonly host?: string;
}

export interface MetricsServer {
  readonly port: number;
  readonly host: string;
  readonly server: Server;
  close(): Promise<void>;
}

export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const host = o.host ?? '127.0.0.1';
  const server = createServer({ maxHeaderSize: 8192, requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('smp-lab load metrics: GET /metrics\n');
      return;
    }
    o.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': o.registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(smpError('BIND', `metrics port ${host}:${o.port}: ${err.code ?? err.message}`, { port: o.port, host }, err)));
    server.listen(o.port, host, () => resolve());
  });
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : o.port;
  let closing: Promise<void> | null = null;
  return {
    port, host, server,
    close() {
      closing ??= new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      return closing;
    },
  };
}

/** Compatibility shape for the fleet runner: serves `registry`, resolves with the bound server. */
export async function serveMetrics(registry: Registry, host: string, port: number): Promise<{ server: Server; port: number }> {
  const m = await startMetricsServer({ registry, host, port });
  return { server: m.server, port: m.port };
}
