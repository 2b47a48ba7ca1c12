// XML-over-HTTP calls of the client task agent (NS CTAgent pages, TS ClientTaskServer pages) on
// one keep-alive connection pool shared by every simulated agent of a process. Bounded response
// size and timeout; a failure is a typed error. Never retries: the agent's state machine does.
import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { smpError } from '../../shared/errors.js';

const MAX_RESPONSE = 4 * 1024 * 1024;

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export class TaskHttp {
  private readonly agent: Agent;
  private readonly tlsAgent: HttpsAgent;

  /** `ca`: the CA HTTPS servers must chain to (the lab CA); without it the system's CAs. */
  constructor(maxSockets = 32, private readonly timeoutMs = 15_000, ca?: string | Buffer) {
    const common = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'fifo' } as const;
    this.agent = new Agent(common);
    this.tlsAgent = new HttpsAgent({ ...common, ...(ca ? { ca } : {}) });
  }

  call(base: string, path: string, query: Record<string, string>, body?: string): Promise<HttpAnswer> {
    const url = new URL(path, base);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return new Promise((resolve, reject) => {
      const tls = url.protocol === 'https:';
      const req = (tls ? httpsRequest : request)(url, {
        method: body === undefined ? 'GET' : 'POST', agent: tls ? this.tlsAgent : this.agent, timeout: this.timeoutMs,
        headers: body === undefined ? {} : { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) },
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE) res.destroy(smpError('TOO_LARGE', `${path}: answer larger than ${MAX_RESPONSE} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(smpError('TIMEOUT', `${path}: no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Like call, but a non-2xx answer is an error carrying the page's message. */
  async ok(base: string, path: string, query: Record<string, string>, body?: string): Promise<string> {
    const a = await this.call(base, path, query, body);
    if (a.status < 200 || a.status > 299) {
      const code = /code="(SMP_ERR_[A-Z_]+)"/.exec(a.body)?.[1];
      const kind = code === 'SMP_ERR_CAPACITY' ? 'CAPACITY' : code === 'SMP_ERR_UNKNOWN_RESOURCE' ? 'UNKNOWN_RESOURCE' : 'BAD_INPUT';
      throw smpError(kind, `${path} answered ${a.status}: ${a.body.replace(/<[^>]+>/g, ' ').trim().slice(0, 200)}`, { status: a.status });
    }
    return a.body;
  }

  close(): void {
    this.agent.destroy();
    this.tlsAgent.destroy();
  }
}
