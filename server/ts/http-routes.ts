// The Task Server's pages under /Altiris/ClientTaskServer (Register, GetTasks, GetTaskItems,
// PostStatus, PostNotification, GetServerStatus, GetComputerCount) as one fastify plugin.
// Parses and answers only; registration, work and forwarding live in the objects it is given.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { smpError, SmpError } from '../../shared/errors.js';
import { normalizeGuid } from '../../shared/protocol/guid-bytes.js';
import {
  decodeAddresses, decodeStatus, encodeTask, escapeXml, parseRoot, type StatusDoc, type TaskDoc,
} from '../../shared/protocol/task-xml.js';
import type { ClientRecord, ClientRegistry, TsTask } from './client-registry.js';
import type { TsMetrics } from './metrics.js';
import type { TsIdentity } from './ts-core.js';

export const TS_PREFIX = '/Altiris/ClientTaskServer';

/**
 * What the pages need from the TS. In one process it is the registry itself; in a worker it asks
 * the primary over IPC (the registry, the cap and the work lists live once per TS).
 */
export interface TsPageBackend {
  readonly metrics: TsMetrics;
  identity(): TsIdentity;
  /** Registers a client; throws SMP_ERR_CAPACITY beyond the per-server cap. */
  register(guid: string, name: string, addresses: readonly string[]): Promise<void> | void;
  /** Throws SMP_ERR_UNKNOWN_RESOURCE for a client that has not registered. */
  known(guid: string): Promise<void> | void;
  /** The tasks waiting for a registered client. */
  pendingTasks(guid: string): Promise<readonly TsTask[]> | readonly TsTask[];
  /** A task this TS knows (every process keeps the task table). */
  task(id: string): TsTask | undefined;
  postStatus(guid: string, s: StatusDoc): Promise<void> | void;
  counts(): Promise<Counts> | Counts;
  status(): Promise<Record<string, string | number>> | Record<string, string | number>;
}

export interface Counts {
  readonly registered: number;
  readonly connected: number;
  readonly max: number;
}

/** GetTasks lists a script larger than this without its body; the agent fetches it with GetTaskItems (smp-lab). */
export const INLINE_SCRIPT_BYTES = 1024;

type Req = FastifyRequest<{ Querystring: Record<string, string | undefined> }>;

const xmlReply = (reply: FastifyReply, body: string): FastifyReply => reply.type('text/xml; charset=utf-8').send(body);

export async function registerTsPages(app: FastifyInstance, ctx: TsPageBackend): Promise<void> {
  const page = (method: 'GET' | 'POST', name: string, handler: (req: Req) => Promise<string> | string): void => {
    const endpoint = name.replace('.aspx', '');
    app.route({
      method: method === 'GET' ? ['GET', 'POST'] : ['POST'], url: `${TS_PREFIX}/${name}`,
      handler: async (req: Req, reply) => {
        try {
          const body = await handler(req);
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

  page('POST', 'Register.aspx', async (req) => {
    const guid = resourceGuid(req);
    const body = typeof req.body === 'string' && req.body.trim() !== '' ? parseRoot(req.body, 'register', 64 * 1024) : {};
    const name = typeof body['name'] === 'string' ? body['name'].slice(0, 64) : '';
    await ctx.register(guid, name, decodeAddresses(body['addresses'] as Record<string, unknown> | undefined));
    const id = ctx.identity();
    return `<registration resourceGuid="{${guid}}" taskServer="{${id.guid}}" name="${escapeXml(id.name)}" ` +
      `channelPort="${id.channelPort}" keepAliveMs="${id.keepAliveMs}" pollIntervalMs="${id.pollIntervalMs}"/>`;
  });

  page('GET', 'GetTasks.aspx', async (req) => {
    const tasks = await ctx.pendingTasks(resourceGuid(req));
    return `<tasks version="${maxVersion(tasks)}">${tasks.map((t) => encodeTask(toDoc(t), false, hasItems(t))).join('')}</tasks>`;
  });

  page('GET', 'GetTaskItems.aspx', async (req) => {
    await ctx.known(resourceGuid(req));
    const ids = (req.query['TaskIds'] ?? req.query['TaskId'] ?? '').split(',').filter((s) => s !== '').slice(0, 64);
    if (ids.length === 0) throw smpError('MISSING_PARAMETER', 'GetTaskItems: TaskIds is required');
    const tasks = ids.map((raw) => {
      const t = ctx.task(normalizeGuid(raw));
      if (t === undefined) throw smpError('NOT_FOUND', `GetTaskItems: no task ${raw.slice(0, 40)} on this task server`);
      return t;
    });
    return `<tasks version="${maxVersion(tasks)}">${tasks.map((t) => encodeTask(toDoc(t), false)).join('')}</tasks>`;
  });

  const postStatus = (final: boolean) => async (req: Req): Promise<string> => {
    const guid = resourceGuid(req);
    await ctx.known(guid);
    if (typeof req.body !== 'string') throw smpError('BAD_INPUT', 'a <status> XML body is required');
    const s = decodeStatus(req.body);
    if (s.resourceGuid !== guid) throw smpError('BAD_INPUT', 'status resourceGuid differs from ResourceGuid');
    if (ctx.task(s.taskId) === undefined) throw smpError('NOT_FOUND', `no task {${s.taskId}} on this task server`);
    const isFinal = s.state === 'completed' || s.state === 'failed';
    if (isFinal !== final) throw smpError('BAD_INPUT', final ? 'PostStatus takes completed or failed; use PostNotification for progress' : 'PostNotification takes received or running');
    await ctx.postStatus(guid, s);
    return '<ok/>';
  };
  page('POST', 'PostStatus.aspx', postStatus(true));
  page('POST', 'PostNotification.aspx', postStatus(false));

  page('GET', 'GetServerStatus.aspx', async () =>
    `<serverStatus ${Object.entries(await ctx.status()).map(([k, v]) => `${k}="${escapeXml(String(v))}"`).join(' ')}/>`);
  page('GET', 'GetComputerCount.aspx', async () => {
    const c = await ctx.counts();
    return `<computerCount registered="${c.registered}" connected="${c.connected}" max="${c.max}"/>`;
  });
}

/** A script too large to list inline is an item the agent fetches with GetTaskItems.aspx. */
const hasItems = (t: TsTask): boolean => Buffer.byteLength(t.script) > INLINE_SCRIPT_BYTES;

/** The pages over one process's registry (no workers). */
export function localPageBackend(registry: ClientRegistry, metrics: TsMetrics, identity: () => TsIdentity,
  status: () => Record<string, string | number>, onStatus: (rec: ClientRecord, s: StatusDoc) => void): TsPageBackend {
  return {
    metrics, identity, status,
    register(guid, name, addresses) {
      registry.register(guid, name, addresses);
      metrics.registered.set(registry.size);
    },
    known: (guid) => void known(registry, guid),
    pendingTasks: (guid) => registry.pendingTasks(known(registry, guid)),
    task: (id) => registry.task(id),
    postStatus: (guid, s) => onStatus(known(registry, guid), s),
    counts: () => ({ registered: registry.size, connected: registry.connectedCount, max: registry.maxClients }),
  };
}

function resourceGuid(req: Req): string {
  const raw = req.query['ResourceGuid'] ?? req.query['resourceGuid'];
  if (raw === undefined || raw === '') throw smpError('MISSING_PARAMETER', 'ResourceGuid is required');
  return normalizeGuid(raw);
}

export function known(registry: ClientRegistry, guid: string): ClientRecord {
  const rec = registry.get(guid);
  if (rec === undefined) throw smpError('UNKNOWN_RESOURCE', `client {${guid}} is not registered with this task server; call Register.aspx first`);
  return rec;
}

const maxVersion = (tasks: readonly TsTask[]): number => tasks.reduce((v, t) => Math.max(v, t.version), 0);

export const toDoc = (t: TsTask): TaskDoc => ({ ...t, targets: t.targets === null ? null : [...t.targets] });
