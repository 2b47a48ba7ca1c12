// Admin API over stored events: page through them (metadata only) and read one NSE body.
import type { FastifyInstance } from 'fastify';
import { smpError } from '../../../shared/errors.js';
import type { NsContext } from '../context.js';
import { EVENT_QUEUES } from '../store/events.js';

const int = (v: unknown, d: number, max: number, what: string): number => {
  const x = v === undefined ? d : Number(v);
  if (!Number.isInteger(x) || x < 0 || x > max) throw smpError('BAD_INPUT', `${what} must be an integer from 0 to ${max}`);
  return x;
};

export function registerEventRoutes(scope: FastifyInstance, ctx: NsContext): void {
  const { events } = ctx.store;
  scope.get<{ Querystring: { after?: string; limit?: string } }>('/events', async (req) => ({
    total: events.count(),
    queued: Object.fromEntries(EVENT_QUEUES.map((q) => [q, events.depth(q)])),
    events: events.list(int(req.query.after, 0, Number.MAX_SAFE_INTEGER, 'after'), int(req.query.limit, 100, 10000, 'limit')),
  }));
  scope.get<{ Params: { id: string } }>('/events/:id', async (req, reply) => {
    const id = int(req.params.id, 0, Number.MAX_SAFE_INTEGER, 'event id');
    const body = events.body(id);
    if (body === undefined) throw smpError('NOT_FOUND', `no event ${id}`);
    return reply.type('text/xml; charset=utf-8').send(body);
  });
}
