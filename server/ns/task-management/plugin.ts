// /Altiris/TaskManagement on the NS: the pages client task agents call (CTAgent/GetClientTaskServers,
// CTAgent/PersistentSettings) and the pages task servers call (ClientTask/RegisterTaskServer,
// GetTaskVersion, ReportTaskData, RefreshTaskServers); it also runs the NS tickle server (50123).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { smpError } from '../../../shared/errors.js';
import { parseGuid } from '../../../shared/protocol/guid.js';
import {
  decodeAddresses, decodeStatusBatch, decodeTaskServerNode, encodeTaskList, encodeTaskServers, parseRoot,
} from '../../../shared/protocol/task-xml.js';
import { defineNsPlugin, type NsContext } from '../context.js';
import { xmlErrorHandler } from '../http-errors.js';
import { DEFAULT_TASK_MANAGEMENT, type TaskManagementOptions } from './options.js';
import { orderTaskServers } from './selection.js';
import { TickleServer } from './tickle-server.js';

type Req = FastifyRequest<{ Querystring: Record<string, string | undefined> }>;

/** Largest ReportTaskData batch accepted in one post. */
export const MAX_REPORT_BATCH = 2000;

/** The tickle server of each NS context (the console task routes tickle through it). */
export const TICKLE_SERVERS = new WeakMap<NsContext, TickleServer>();

export const taskOptions = (ctx: NsContext): TaskManagementOptions => ({ ...DEFAULT_TASK_MANAGEMENT, ...ctx.options.tasks });

export const taskManagementPlugin = defineNsPlugin({
  name: 'task-management',
  prefix: '/Altiris/TaskManagement',
  async register(scope, ctx) {
    const opts = taskOptions(ctx);
    const rejects = new Counter({ name: 'smp_ns_tickle_rejects_total', help: 'NS tickle server refusals by reason',
      labelNames: ['reason'], registers: [ctx.metrics] });
    const reports = new Counter({ name: 'smp_ns_task_statuses_total', help: 'Task statuses reported by task servers',
      labelNames: ['outcome'], registers: [ctx.metrics] });
    const tickle = new TickleServer({ keepAliveMs: opts.tickleKeepAliveMs, maxLinks: opts.maxTaskServers,
      onReject: (reason) => rejects.inc({ reason }) }, ctx.log);
    TICKLE_SERVERS.set(ctx, tickle);
    let ticklePort = 0;
    scope.addHook('onReady', async () => {
      const port = opts.ticklePort ?? (ctx.options.ports?.has('ts-tickle-server') ? ctx.options.ports.port('ts-tickle-server') : 0);
      try {
        ticklePort = await tickle.listen(port, ctx.options.bind ?? '127.0.0.1');
        ctx.log.info({ flow: 'ts-tickle-server', port: ticklePort }, 'NS tickle server listening');
      } catch (err) {
        // The NS still serves everything else; task servers are told ticklePort="0" and fetch work
        // at each re-registration instead of being tickled.
        rejects.inc({ reason: 'bind' });
        ctx.log.error({ flow: 'ts-tickle-server', port, err: (err as Error).message },
          'NS tickle server not started: cannot bind its port (move it with --port ts-tickle-server=PORT); task servers will poll');
      }
    });
    scope.addHook('onClose', async () => tickle.close());
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.setErrorHandler(xmlErrorHandler);
    registerAgentPages(scope, ctx, opts);
    registerServerPages(scope, ctx, () => ticklePort, (n) => reports.inc({ outcome: 'stored' }, n));
  },
});

const send = (reply: { type(t: string): { send(b: string): unknown } }, body: string): unknown =>
  reply.type('text/xml; charset=utf-8').send(body);

function registerAgentPages(scope: FastifyInstance, ctx: NsContext, opts: TaskManagementOptions): void {
  const tasks = ctx.store.tasks;
  scope.route({
    method: ['GET', 'POST'], url: '/CTAgent/GetClientTaskServers.aspx',
    handler: async (req: Req, reply) => {
      parseGuid(req.query['ResourceGuid'] ?? '', 'ResourceGuid');
      const body = typeof req.body === 'string' && req.body.trim() !== '' ? parseRoot(req.body, 'addresses', 64 * 1024) : undefined;
      decodeAddresses(body);
      const live = tasks.taskServers(opts.taskServerTtlMs);
      const withShares = req.query['shares'] === '1';
      const ordered = orderTaskServers(opts.serverFindMethod, live).map((s) => (withShares ? s : { ...s, shares: 0 }));
      return send(reply, encodeTaskServers(opts.serverFindMethod, ordered));
    },
  });
  scope.route({
    method: ['GET', 'POST'], url: '/CTAgent/PersistentSettings.aspx',
    handler: async (req: Req, reply) => {
      if (req.query['ResourceGuid'] !== undefined) parseGuid(req.query['ResourceGuid'], 'ResourceGuid');
      return send(reply, `<persistentSettings enabled="true" reconnectMs="${opts.reconnectMs}" pollIntervalMs="${opts.pollIntervalMs}" ` +
        `serverFindMethod="${opts.serverFindMethod}"/>`);
    },
  });
}

function registerServerPages(scope: FastifyInstance, ctx: NsContext, ticklePort: () => number, stored: (n: number) => void): void {
  const tasks = ctx.store.tasks;
  scope.post('/ClientTask/RegisterTaskServer.aspx', async (req, reply) => {
    if (typeof req.body !== 'string') throw smpError('BAD_INPUT', 'RegisterTaskServer: a <taskServers> body is required');
    const root = parseRoot(req.body, 'taskServers', 64 * 1024);
    const node = Array.isArray(root['taskServer']) ? (root['taskServer'] as Record<string, unknown>[])[0] : undefined;
    if (node === undefined) throw smpError('BAD_INPUT', 'RegisterTaskServer: one <taskServer> element is required');
    const ts = decodeTaskServerNode(node);
    tasks.upsertTaskServer(ts);
    return send(reply, `<registered guid="{${ts.guid}}" ticklePort="${ticklePort()}" taskVersion="${tasks.version()}"/>`);
  });
  scope.get('/ClientTask/GetTaskVersion.aspx', async (req: Req, reply) => {
    parseGuid(req.query['TaskServerGuid'] ?? '', 'TaskServerGuid');
    const since = Number(req.query['since'] ?? '0');
    if (!Number.isInteger(since) || since < 0) throw smpError('BAD_INPUT', 'since must be a task version (integer >= 0)');
    const list = tasks.since(since);
    return send(reply, encodeTaskList(list, list.reduce((v, t) => Math.max(v, t.version), since), true));
  });
  scope.post('/ClientTask/ReportTaskData.aspx', async (req, reply) => {
    if (typeof req.body !== 'string') throw smpError('BAD_INPUT', 'ReportTaskData: a <taskData> body is required');
    const batch = decodeStatusBatch(req.body, MAX_REPORT_BATCH);
    const n = tasks.recordStatuses(batch.taskServer, batch.statuses);
    for (const s of batch.statuses) ctx.feed.taskStatus(s.taskId, s.resourceGuid, s.state);
    stored(n);
    return send(reply, `<ok count="${n}"/>`);
  });
  scope.get('/ClientTask/RefreshTaskServers.aspx', async (_req, reply) =>
    send(reply, encodeTaskServers('', tasks.taskServers(Number.MAX_SAFE_INTEGER))));
}
