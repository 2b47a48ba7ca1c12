// The fleet's HTTP(S) client: one keep-alive agent per scheme shared by every simulated agent; sockets
// are pooled per source address, so each simulated agent keeps its own connection and TLS session
// (resumed from the shared session cache). Idle connections are kept only within a budget
// (`idleSockets`): an agent between check-ins holds no socket once the budget is spent, so the
// descriptor count stays bounded whatever the fleet size. Bounded response bodies and a deadline per
// request; package files are streamed to a callback, never buffered. Failures come back classified by
// kind, never thrown past the caller.
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
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
/** Set per request: the same agent sends its next request right after this one (registration's steps). */
const kFollowUp = Symbol('smp-lab follow-up');
type Marked = { [kIdle]?: 0 | 1 | 2; [kFollowUp]?: boolean };

/**
 * An http(s).Agent that keeps a finished request's socket for reuse only while fewer than `budget`
 * sockets are idle in total; beyond that the socket is closed, so idle agents cost no descriptor.
 * A socket whose agent sends its next request right away (a follow-up) is kept over the budget: it is
 * idle only until that request, so the excess stays below the requests in flight, and the agent does
 * not connect again for each step of a sequence (registration: CreateResource, PostEvent, policies).
 * The idle count is kept exactly by following the three ways a socket enters or leaves the pool.
 */
function budgeted<C extends typeof HttpAgent>(Base: C, budget: number): C {
  const B = Base as unknown as new (...args: unknown[]) => PoolingAgent;
  class Budgeted extends B {
    idle = 0;
    override keepSocketAlive(socket: unknown): boolean {
      if ((this.idle >= budget && !(socket as Marked)[kFollowUp]) || !super.keepSocketAlive(socket)) return false;
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

/** `resolve` that takes only its first value (a request can end, fail and time out). */
const once = <T>(resolve: (v: T) => void): ((v: T) => void) => {
  let settled = false;
  return (v) => {
    if (!settled) {
      settled = true;
      resolve(v);
    }
  };
};

/** Marks the socket a request gets (new or reused) with whether the agent's next request follows at once. */
const markFollowUp = (req: ClientRequest, followUp: boolean): void => {
  req.on('socket', (s) => {
    (s as unknown as Marked)[kFollowUp] = followUp;
  });
};

/** Answer of a streamed GET: the body went to the callback, only its size is kept. */
export interface StreamResult {
  readonly outcome: Outcome;
  readonly status: number;
  readonly bytes: number;
}

/** Server name sent in TLS: a host name as is, `localhost` for an address (the lab certificate's name). */
const serverName = (host: string): string => (/^[\d.]+$/.test(host) || host.includes(':') ? 'localhost' : host);

/** The TCP port a URL names, or its scheme's default (http 80, https 443). */
export const portOfUrl = (url: URL): number => Number(url.port || (url.protocol === 'https:' ? 443 : 80));

export class FleetHttpClient {
  readonly base: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  /** Agent of the other scheme, made on first use (package codebases may use either). */
  private other: HttpAgent | HttpsAgent | null = null;
  private readonly secure: boolean;
  private readonly opts: HttpClientOptions;

  constructor(opts: HttpClientOptions) {
    this.opts = opts;
    this.base = new URL(opts.base);
    this.secure = this.base.protocol === 'https:';
    this.agent = this.makeAgent(this.secure);
  }

  private makeAgent(secure: boolean): HttpAgent | HttpsAgent {
    const o = this.opts;
    const common = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: Infinity, maxFreeSockets: 65_536, timeout: o.idleMs ?? 15_000, scheduling: 'lifo' as const };
    const budget = o.idleSockets ?? DEFAULT_IDLE_SOCKETS;
    return secure
      ? new (budgeted(HttpsAgent, budget))({ ...common, maxCachedSessions: 100_000, ...(o.ca ? { ca: o.ca } : {}), rejectUnauthorized: !o.insecure })
      : new (budgeted(HttpAgent, budget))(common);
  }

  private agentFor(secure: boolean): HttpAgent | HttpsAgent {
    if (secure === this.secure) return this.agent;
    return (this.other ??= this.makeAgent(secure));
  }

  /**
   * GET of an absolute http(s) URL whose body is handed to `onData` chunk by chunk (package
   * files: never held whole). Only a 200 is ok (a 206 with a `range` header); any other status is drained and classified.
   * `onData` returning false stops the transfer (the socket is destroyed; outcome `other`).
   */
  stream(url: URL, init: { headers?: Record<string, string>; localAddress?: string }, onData: (chunk: Buffer) => boolean | void): Promise<StreamResult> {
    const secure = url.protocol === 'https:';
    return new Promise((resolve) => {
      const done = once(resolve);
      let bytes = 0;
      const req = (secure ? httpsRequest : httpRequest)({
        protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: portOfUrl(url),
        path: url.pathname + url.search, method: 'GET', agent: this.agentFor(secure),
        ...(init.localAddress ? { localAddress: init.localAddress } : {}),
        ...(secure ? { servername: serverName(url.hostname) } : {}), headers: { ...init.headers },
      }, (res) => {
        const status = res.statusCode ?? 0;
        // A Range request is answered by a 206 only: a 200 would be the whole file.
        const ok = init.headers?.['range'] !== undefined ? status === 206 : status === 200;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (ok && onData(c) === false) {
            done({ outcome: 'other', status, bytes });
            req.destroy();
          }
        });
        res.on('end', () => done({ outcome: ok ? 'ok' : status >= 400 ? outcomeOfStatus(status) : 'other', status, bytes }));
        res.on('error', () => done({ outcome: 'reset', status, bytes }));
        res.on('aborted', () => done({ outcome: 'reset', status, bytes }));
      });
      req.setTimeout(this.opts.timeoutMs ?? 30_000, () => {
        done({ outcome: 'timeout', status: 0, bytes });
        req.destroy();
      });
      req.on('error', (err: NodeJS.ErrnoException) => done({ outcome: outcomeOfError(err), status: 0, bytes }));
      markFollowUp(req, false);
      req.end();
    });
  }

  /**
   * One request with a bounded body. `followUp`: the caller sends its next request on the same
   * connection right after this one, so the socket is kept even when the idle budget is spent.
   */
  request(method: string, path: string, init: { body?: string | Buffer; headers?: Record<string, string>; localAddress?: string; keepBody?: boolean; followUp?: boolean } = {}): Promise<HttpResult> {
    const body = init.body === undefined ? undefined : Buffer.isBuffer(init.body) ? init.body : Buffer.from(init.body);
    const maxBody = this.opts.maxBody ?? 16 * 1024 * 1024;
    return new Promise((resolve) => {
      const done = once(resolve);
      const fail = (outcome: Outcome): void => done({ outcome, status: 0, body: Buffer.alloc(0), headers: {}, bytes: 0 });
      const req = (this.secure ? httpsRequest : httpRequest)({
        protocol: this.base.protocol, hostname: this.base.hostname, port: portOfUrl(this.base),
        path, method, agent: this.agent, ...(init.localAddress ? { localAddress: init.localAddress } : {}),
        ...(this.secure ? { servername: serverName(this.base.hostname) } : {}),
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
      markFollowUp(req, init.followUp === true);
      req.end(body);
    });
  }

  /** Idle keep-alive sockets open now (within the budget). */
  get idleSockets(): number {
    const idle = (a: HttpAgent | HttpsAgent | null): number => (a as unknown as { idle?: number } | null)?.idle ?? 0;
    return idle(this.agent) + idle(this.other);
  }

  close(): void {
    this.agent.destroy();
    this.other?.destroy();
  }
}
