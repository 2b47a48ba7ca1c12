// The fleet's HTTP(S) client: one keep-alive agent per scheme shared by every simulated agent; sockets
// are pooled per source address, so each simulated agent keeps its own connection and TLS session
// (resumed from the shared session cache). Idle connections are kept only within a budget
// (`idleSockets`): an agent between check-ins holds no socket once the budget is spent, so the
// descriptor count stays bounded whatever the fleet size. Bounded response bodies and a deadline per
// request; failures come back classified by kind, never thrown past the caller.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { outcomeOfError, outcomeOfStatus, type Outcome } from '../load/outcome.js';

export interface HttpClientOptions {
  /** Base URL of the NS, e.g. http://127.0.0.1:80. */
  readonly base: string;
  /** PEM of the CA that signed the NS certificate (the lab CA). */
  readonly ca?: string | Buffer;
  readonly insecure?: boolean;
  readonly timeoutMs?: number;
  /** Idle keep-alive sockets are closed after this (ms). */
  readonly idleMs?: number;
  /** Idle keep-alive sockets kept open at most, across the fleet (default 1000; 0 closes every socket after its request). */
  readonly idleSockets?: number;
  /** Largest response body kept (bytes); longer bodies are counted and dropped. */
  readonly maxBody?: number;
}

export interface HttpResult {
  readonly outcome: Outcome;
  readonly status: number;
  readonly body: Buffer;
  readonly headers: IncomingMessage['headers'];
  /** Response bytes received (also when the body was not kept). */
  readonly bytes: number;
}

export const DEFAULT_IDLE_SOCKETS = 1000;

interface PoolingAgent {
  keepSocketAlive(socket: unknown): boolean;
  reuseSocket(socket: unknown, req: unknown): void;
  removeSocket(socket: unknown, options: unknown): void;
}
/** 1: handed to the free pool (Node calls removeSocket once right after), 2: idle in the pool. */
const kIdle = Symbol('smp-lab idle socket');
type Marked = { [kIdle]?: 0 | 1 | 2 };

/**
 * An http(s).Agent that keeps a finished request's socket for reuse only while fewer than `budget`
 * sockets are idle in total; beyond that the socket is closed, so idle agents cost no descriptor.
 * The idle count is kept exactly by following the three ways a socket enters or leaves the pool.
 */
function budgeted<C extends typeof HttpAgent>(Base: C, budget: number): C {
  const B = Base as unknown as new (...args: unknown[]) => PoolingAgent;
  class Budgeted extends B {
    idle = 0;
    override keepSocketAlive(socket: unknown): boolean {
      if (this.idle >= budget || !super.keepSocketAlive(socket)) return false;
      this.idle += 1;
      (socket as Marked)[kIdle] = 1;
      return true;
    }
    override reuseSocket(socket: unknown, req: unknown): void {
      this.leave(socket as Marked);
      super.reuseSocket(socket, req);
    }
    override removeSocket(socket: unknown, options: unknown): void {
      const m = socket as Marked;
      if (m[kIdle] === 1) m[kIdle] = 2; // the move from the busy list into the free pool
      else this.leave(m);
      super.removeSocket(socket, options);
    }
    private leave(m: Marked): void {
      if (m[kIdle]) {
        m[kIdle] = 0;
        this.idle -= 1;
      }
    }
  }
  return Budgeted as unknown as C;
}

export class FleetHttpClient {
  readonly base: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly secure: boolean;
  private readonly opts: HttpClientOptions;

  constructor(opts: HttpClientOptions) {
    this.opts = opts;
    this.base = new URL(opts.base);
    this.secure = this.base.protocol === 'https:';
    const common = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: Infinity, maxFreeSockets: 65_536, timeout: opts.idleMs ?? 15_000, scheduling: 'lifo' as const };
    const budget = opts.idleSockets ?? DEFAULT_IDLE_SOCKETS;
    this.agent = this.secure
      ? new (budgeted(HttpsAgent, budget))({ ...common, maxCachedSessions: 100_000, ...(opts.ca ? { ca: opts.ca } : {}), rejectUnauthorized: !opts.insecure })
      : new (budgeted(HttpAgent, budget))(common);
  }

  request(method: string, path: string, init: { body?: string | Buffer; headers?: Record<string, string>; localAddress?: string; keepBody?: boolean } = {}): Promise<HttpResult> {
    const body = init.body === undefined ? undefined : Buffer.isBuffer(init.body) ? init.body : Buffer.from(init.body);
    const maxBody = this.opts.maxBody ?? 16 * 1024 * 1024;
    return new Promise((resolve) => {
      let settled = false;
      const done = (r: HttpResult): void => {
        if (!settled) {
          settled = true;
          resolve(r);
        }
      };
      const fail = (outcome: Outcome): void => done({ outcome, status: 0, body: Buffer.alloc(0), headers: {}, bytes: 0 });
      const req = (this.secure ? httpsRequest : httpRequest)({
        protocol: this.base.protocol, hostname: this.base.hostname, port: this.base.port || (this.secure ? 443 : 80),
        path, method, agent: this.agent, ...(init.localAddress ? { localAddress: init.localAddress } : {}),
        ...(this.secure ? { servername: this.base.hostname.match(/^[\d.]+$/) ? 'localhost' : this.base.hostname } : {}),
        headers: { 'cache-control': 'max-age=0', ...(body ? { 'content-type': 'application/xml', 'content-length': String(body.length) } : {}), ...init.headers },
      }, (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (init.keepBody !== false && bytes <= maxBody) chunks.push(c);
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const outcome: Outcome = outcomeOfStatus(status);
          done({ outcome, status, body: Buffer.concat(chunks), headers: res.headers, bytes });
        });
        res.on('error', () => fail('reset'));
        res.on('aborted', () => fail('reset'));
      });
      req.setTimeout(this.opts.timeoutMs ?? 30_000, () => {
        fail('timeout');
        req.destroy();
      });
      req.on('error', (err: NodeJS.ErrnoException) => fail(outcomeOfError(err)));
      req.end(body);
    });
  }

  /** Idle keep-alive sockets open now (within the budget). */
  get idleSockets(): number {
    return (this.agent as unknown as { idle: number }).idle;
  }

  close(): void {
    this.agent.destroy();
  }
}
