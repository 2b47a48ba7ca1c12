// PostEvent.aspx and PostEvent.asp: NSE intake. The body (plain XML or SLZ1-compressed) is decoded,
// routed by decompressed size into the fast/normal/slow/large queue and committed to the store
// before the 200 answer. A full queue answers 503 "back off" and logs the NS's HRESULT 0x80056007.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { smpError } from '../../../shared/errors.js';
import { isGuid, parseGuid } from '../../../shared/protocol/guid.js';
import { isLabCompressed, labDecompress } from '../../../shared/protocol/lab-compression.js';
import { decodeNse } from '../../../shared/protocol/nse.js';
import type { NsContext } from '../context.js';
import { BACK_OFF_HRESULT, QUEUE_FOLDERS, queueFor } from '../events/router.js';
import { bodyOf } from './body.js';
import { defineAgentPage } from './page.js';

/** `IP/HEAD/<agent version>` as the NS log names the client (KB 179877). */
const clientTag = (req: FastifyRequest): string => `${req.ip}/HEAD/${(req.headers['user-agent'] ?? 'unknown').slice(0, 64)}`;

async function intake(ctx: NsContext, page: string, req: FastifyRequest, reply: FastifyReply) {
  const raw = bodyOf(req, page);
  const body = isLabCompressed(raw) ? labDecompress(raw, ctx.limits.eventBodyLimit) : raw;
  const queue = queueFor(body.length);
  if (ctx.store.events.depth(queue) >= ctx.events.queueMax) {
    req.log.warn({ hresult: BACK_OFF_HRESULT, client: clientTag(req), queue: QUEUE_FOLDERS[queue] },
      `event router: ${QUEUE_FOLDERS[queue]} is full, client ${clientTag(req)} told to back off (${BACK_OFF_HRESULT})`);
    void reply.header('retry-after', '60');
    throw smpError('BACK_OFF', `event queue ${QUEUE_FOLDERS[queue]} is full (${ctx.events.queueMax} events); back off and post again later`,
      { hresult: BACK_OFF_HRESULT, queue });
  }
  const nse = decodeNse(body, { maxBytes: ctx.limits.eventBodyLimit, maxDepth: ctx.limits.xmlMaxDepth, maxRows: 10_000_000, maxColumns: 512 });
  const smaId = req.headers['x-sma-id'];
  const sender = nse.inventory?.resources.find((r) => r.guid !== null)?.guid
    ?? (typeof smaId === 'string' && isGuid(smaId) ? parseGuid(smaId) : null);
  const id = await ctx.store.events.append({
    queue, page, clientIp: req.ip, to: nse.to, msgId: nse.msgId, resourceGuid: sender, body,
  });
  ctx.feed.event(nse.to);
  req.log.debug({ eventId: id, queue, size: body.length, agentGuid: sender }, 'event stored');
  return reply.type('text/xml; charset=utf-8').send(`<response status="ok" id="${id}" queue="${QUEUE_FOLDERS[queue]}" size="${body.length}"/>`);
}

export const postEventPages = ['PostEvent.aspx', 'PostEvent.asp'].map((name) => defineAgentPage({
  name,
  register(scope, ctx) {
    scope.post(`/${name}`, { bodyLimit: ctx.limits.eventBodyLimit }, async (req, reply) => intake(ctx, name, req, reply));
  },
}));
