// Wires observability into the NS app at its root (before the virtual-directory plugins, so it
// sees every request): IIS request filtering (query-string and URL length, 404.15 / 404.14), the
// W3C access log, Prometheus metrics and the /metrics route. Per request it only reads counters
// and appends one line; nothing here awaits the disk.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { join } from 'node:path';
import { plainIp } from '../../../shared/protocol/w3c-log.js';
import type { NsContext } from '../context.js';
import { DEFAULT_DATA_DIR } from '../options.js';
import { AccessLog, DEFAULT_ACCESS_LOG } from './access-log.js';
import { createNsMetrics } from './metrics.js';

export interface RequestFiltering {
  /** IIS requestFiltering maxQueryString (bytes); longer gets 404.15. */
  readonly maxQueryString: number;
  /** IIS requestFiltering maxUrl (bytes, path part); longer gets 404.14. */
  readonly maxUrl: number;
}

export const DEFAULT_REQUEST_FILTERING: RequestFiltering = { maxQueryString: 2048, maxUrl: 4096 };

declare module 'fastify' {
  interface FastifyRequest {
    smpSubstatus: number;
  }
}

/** Bytes the socket had written when its previous response ended (keep-alive: responses are sequential). */
const kWritten = Symbol('smp-lab bytes written');
type CountedSocket = { bytesWritten: number; [kWritten]?: number };

const UNMATCHED = 'unmatched';

/** Bytes of the request as received: request line, header block and body (W3C cs-bytes). */
function requestBytes(req: FastifyRequest): number {
  const raw = req.raw;
  let n = raw.method!.length + (raw.url?.length ?? 0) + 12; // "M URL HTTP/1.1\r\n"
  const h = raw.rawHeaders;
  for (let i = 0; i < h.length; i += 2) n += h[i]!.length + h[i + 1]!.length + 4;
  const len = Number(raw.headers['content-length'] ?? 0);
  return n + 2 + (Number.isFinite(len) ? len : 0);
}

function refuse(reply: FastifyReply, req: FastifyRequest, substatus: number, reason: string): void {
  req.smpSubstatus = substatus;
  req.log.warn({ url: req.url.slice(0, 200), substatus }, 'request filtering refused a request');
  void reply.code(404).type('text/xml; charset=utf-8')
    .send(`<error code="SMP_ERR_TOO_LARGE" status="404" substatus="${substatus}">${reason}</error>`);
}

export interface Observability {
  readonly accessLog: AccessLog | null;
  close(): Promise<void>;
}

export function installObservability(app: FastifyInstance, ctx: NsContext, software: string): Observability {
  const filtering = { ...DEFAULT_REQUEST_FILTERING, ...ctx.options.requestFiltering };
  const logOpts = { ...DEFAULT_ACCESS_LOG, ...ctx.options.accessLog };
  const dir = logOpts.dir ?? join(ctx.options.dataDir ?? DEFAULT_DATA_DIR, 'logs', 'W3SVC1');
  const accessLog = logOpts.enabled ? new AccessLog(dir, software, logOpts.maxBufferedBytes) : null;
  const metrics = createNsMetrics(ctx.metrics, ctx.store, () => accessLog?.dropped ?? 0, ctx.bodyBudget);

  ctx.feed.readRequestsFrom(() => metrics.totals());
  app.decorateRequest('smpSubstatus', 0);
  app.addHook('onRequest', (req, reply, done) => {
    const url = req.raw.url ?? '';
    const q = url.indexOf('?');
    const pathLength = q === -1 ? url.length : q;
    // Answering here ends the request: the hook must not call done() as well.
    if (pathLength > filtering.maxUrl) refuse(reply, req, 14, `The URL is longer than the request filtering limit of ${filtering.maxUrl} bytes.`);
    else if (q !== -1 && url.length - q - 1 > filtering.maxQueryString) {
      refuse(reply, req, 15, `The query string is longer than the request filtering limit of ${filtering.maxQueryString} bytes.`);
    } else done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    const ms = reply.elapsedTime;
    const status = reply.statusCode;
    metrics.observe(req.routeOptions.url ?? UNMATCHED, status, ms / 1000);
    ctx.feed.request((req.raw.socket as { encrypted?: boolean }).encrypted === true);
    if (accessLog !== null) {
      const url = req.originalUrl;
      const q = url.indexOf('?');
      const sock = req.raw.socket;
      const counted = sock as unknown as CountedSocket;
      const sent = sock.bytesWritten - (counted[kWritten] ?? 0);
      counted[kWritten] = sock.bytesWritten;
      accessLog.write({
        at: new Date(), serverIp: plainIp(sock.localAddress), method: req.method, uriStem: q === -1 ? url : url.slice(0, q),
        uriQuery: q === -1 ? '' : url.slice(q + 1), serverPort: sock.localPort ?? 0, username: '', clientIp: plainIp(sock.remoteAddress),
        userAgent: req.headers['user-agent'] ?? '', status, substatus: req.smpSubstatus, win32Status: reply.raw.writableFinished ? 0 : 64,
        bytesSent: sent, bytesReceived: requestBytes(req), timeTaken: ms,
      });
    }
    done();
  });
  app.get('/metrics', async (_req, reply) => reply.type(ctx.metrics.contentType).send(await ctx.metrics.metrics()));
  return { accessLog, close: async () => accessLog?.close() };
}
