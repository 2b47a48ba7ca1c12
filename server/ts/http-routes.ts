// The Task Server's pages under /Altiris/ClientTaskServer (Register, GetTasks, GetTaskItems,
// PostStatus, PostNotification, GetServerStatus, GetComputerCount) as one fastify plugin.
// Parses and answers only; registration, work and forwarding live in the objects it is given.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { smpError, SmpError } from '../../shared/errors.js';
import { normalizeGuid } from '../../shared/protocol/guid-bytes.js';
import {
  decodeAddresses, decodeStatus, encodeTask, encodeTaskList, escapeXml, parseRoot, type StatusDoc, type TaskDoc,
} from '../../shared/protocol/task-xml.js';
import type { ClientRecord, ClientRegistry, TsTask } from './client-registry.js';
import type { TsMetrics } from './metrics.js';

export const TS_PREFIX = '/Altiris/ClientTaskServer';

export interface TsPageContext {
  readonly registry: ClientRegistry;
  readonly metrics: TsMetrics;
  readonly identity: () => { guid: string; name: string; channelPort: number; keepAliveMs: number; pollIntervalMs: number };
  readonly status: () => Record<string, string | number>;
  readonly onStatus: (rec: ClientRecord, s: StatusDoc) => void;
}

type Req = FastifyRequest<{ Querystring: Record<string, string | undefined> }>;

const xmlReply = (reply: FastifyReply, body: string): FastifyReply => reply.type('text/xml; charset=utf-8').send(body);

export async function registerTsPages(app: FastifyInstance, ctx: TsPageContext): Promise<void> {
  const page = (method: 'GET' | 'POST', name: string, handler: (req: Req) => string): void => {
    const endpoint = name.replace('.aspx', '');
    app.route({
      method: method === 'GET' ? ['GET', 'POST'] : ['POST'], url: `${TS_PREFIX}/${name}`,
      handler: async (req: Req, reply) => {
        try {
          const body = handler(req);
          ctx.metrics.http.inc({ endpoint, outcome: 'ok' });
          return xmlReply(reply, body);
        } catch (err) {
          const e = err instanceof SmpError ? err : smpError('INTERNAL', (err as Error).message);
          ctx.metrics.http.inc({ endpoint, outcome: e.code });
          if (e.status >= 500 && e.code !== 'SMP_ERR_CAPACITY') req.log.error({ err }, `${name} failed`);
          else req.log.info({ code: e.code, endpoint }, e.message);
          return xmlReply(reply.code(e.status), `<error code="${e.code}" handler="${endpoint}">${escapeXml(e.message)}</error>`);
        }
      },
    });
  };

  page('POST', 'Register.aspx', (req) => {
    const guid = resourceGuid(req);
    const body = typeof req.body === 'string' && req.body.trim() !== '' ? parseRoot(req.body, 'register', 64 * 1024) : {};
    const name = typeof body['name'] === 'string' ? body['name'].slice(0, 64) : '';
    const rec = ctx.registry.register(guid, name, decodeAddresses(body['addresses'] as Record<string, unknown> | undefined));
    ctx.metrics.registered.set(ctx.registry.size);
    const id = ctx.identity();
    return `<registration resourceGuid="{${rec.guid}}" taskServer="{${id.guid}}" name="${escapeXml(id.name)}" ` +
      `channelPort="${id.channelPort}" keepAliveMs="${id.keepAliveMs}" pollIntervalMs="${id.pollIntervalMs}"/>`;
  });

  page('GET', 'GetTasks.aspx', (req) => {
    const rec = known(ctx.registry, resourceGuid(req));
    return encodeTaskList(ctx.registry.pendingTasks(rec).map(toDoc), maxVersion(ctx.registry.pendingTasks(rec)), false);
  });

  page('GET', 'GetTaskItems.aspx', (req) => {
    known(ctx.registry, resourceGuid(req));
    const ids = (req.query['TaskIds'] ?? req.query['TaskId'] ?? '').split(',').filter((s) => s !== '').slice(0, 64);
    if (ids.length === 0) throw smpError('MISSING_PARAMETER', 'GetTaskItems: TaskIds is required');
    const tasks = ids.map((raw) => {
      const t = ctx.registry.task(normalizeGuid(raw));
      if (t === undefined) throw smpError('NOT_FOUND', `GetTaskItems: no task ${raw.slice(0, 40)} on this task server`);
      return t;
    });
    return `<tasks version="${maxVersion(tasks)}">${tasks.map((t) => encodeTask(toDoc(t), false)).join('')}</tasks>`;
  });

  const postStatus = (final: boolean) => (req: Req): string => {
    const rec = known(ctx.registry, resourceGuid(req));
    if (typeof req.body !== 'string') throw smpError('BAD_INPUT', 'a <status> XML body is required');
    const s = decodeStatus(req.body);
    if (s.resourceGuid !== rec.guid) throw smpError('BAD_INPUT', 'status resourceGuid differs from ResourceGuid');
    if (ctx.registry.task(s.taskId) === undefined) throw smpError('NOT_FOUND', `no task {${s.taskId}} on this task server`);
    const isFinal = s.state === 'completed' || s.state === 'failed';
    if (isFinal !== final) throw smpError('BAD_INPUT', final ? 'PostStatus takes completed or failed; use PostNotification for progress' : 'PostNotification takes received or running');
    ctx.onStatus(rec, s);
    return '<ok/>';
  };
  page('POST', 'PostStatus.aspx', postStatus(true));
  page('POST', 'PostNotification.aspx', postStatus(false));

  page('GET', 'GetServerStatus.aspx', () =>
    `<serverStatus ${Object.entries(ctx.status()).map(([k, v]) => `${k}="${escapeXml(String(v))}"`).join(' ')}/>`);
  page('GET', 'GetComputerCount.aspx', () =>
    `<computerCount registered="${ctx.registry.size}" connected="${ctx.registry.connectedCount}" max="${ctx.registry.maxClients}"/>`);
}

function resourceGuid(req: Req): string {
  const raw = req.query['ResourceGuid'] ?? req.query['resourceGuid'];
  if (raw === undefined || raw === '') throw smpError('MISSING_PARAMETER', 'ResourceGuid is required');
  return normalizeGuid(raw);
}

function known(registry: ClientRegistry, guid: string): ClientRecord {
  const rec = registry.get(guid);
  if (rec === undefined) throw smpError('UNKNOWN_RESOURCE', `client {${guid}} is not registered with this task server; call Register.aspx first`);
  return rec;
}

const maxVersion = (tasks: readonly TsTask[]): number => tasks.reduce((v, t) => Math.max(v, t.version), 0);

export const toDoc = (t: TsTask): TaskDoc => ({ ...t, targets: t.targets === null ? null : [...t.targets] });
