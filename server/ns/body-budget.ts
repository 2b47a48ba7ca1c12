// One global budget for request bodies in flight on the NS (every listener, every route): a request
// whose body does not fit is refused with 503 + Retry-After before a byte of it is buffered. It must
// never hold bytes past the response: each request releases what it took when its response closes.
import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { smpError, type SmpError } from '../../shared/errors.js';

/** Seconds a refused client is told to wait; bodies in flight finish within a request timeout. */
export const BODY_BUDGET_RETRY_AFTER_S = 5;

/** Bytes of request bodies being received or held by their handler, against a fixed total. */
export class BodyBudget {
  #inFlight = 0;
  #refusals = 0;

  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.#inFlight;
  }

  get refusals(): number {
    return this.#refusals;
  }

  /** Takes `bytes` if they fit (counting a refusal if not). */
  take(bytes: number): boolean {
    if (this.#inFlight + bytes > this.limit) {
      this.#refusals++;
      return false;
    }
    this.#inFlight += bytes;
    return true;
  }

  release(bytes: number): void {
    this.#inFlight -= bytes;
  }
}

function refusal(budget: BodyBudget, reply: FastifyReply, what: string): SmpError {
  void reply.header('retry-after', String(BODY_BUDGET_RETRY_AFTER_S)).header('connection', 'close');
  return smpError('CAPACITY', `the NS is receiving ${budget.limit} bytes of request bodies at once (--body-budget); `
    + `${what}; retry after ${BODY_BUDGET_RETRY_AFTER_S} s`, { budget: budget.limit });
}

/** A chunked body: takes budget as the bytes arrive and fails the body when it runs out. */
class MeteredBody extends Transform {
  constructor(private readonly budget: BodyBudget, private readonly account: { taken: number },
    private readonly refuse: () => SmpError) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (!this.budget.take(chunk.length)) {
      done(this.refuse());
      return;
    }
    this.account.taken += chunk.length;
    done(null, chunk);
  }
}

function bodyBytes(req: FastifyRequest): number | 'chunked' | 0 {
  const cl = req.headers['content-length'];
  if (cl !== undefined) {
    const n = Number(cl);
    return Number.isSafeInteger(n) && n > 0 ? n : 0;
  }
  return req.headers['transfer-encoding'] !== undefined ? 'chunked' : 0;
}

/** Adds the budget to every route of `app` (call before plugins register their routes). */
export function installBodyBudget(app: FastifyInstance, budget: BodyBudget): void {
  app.addHook('preParsing', async (req, reply, payload) => {
    const size = bodyBytes(req);
    if (size === 0) return payload;
    const account = { taken: 0 };
    if (size !== 'chunked') {
      if (!budget.take(size)) throw refusal(budget, reply, `a body of ${size} bytes does not fit`);
      account.taken = size;
    }
    // 'close' comes once the response is sent or the connection dies mid-body: never a leak.
    reply.raw.once('close', () => budget.release(account.taken));
    if (size !== 'chunked') return payload;
    return payload.pipe(new MeteredBody(budget, account, () => refusal(budget, reply, 'the budget ran out mid-body')));
  });
}
