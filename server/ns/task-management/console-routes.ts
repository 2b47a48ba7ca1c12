// Admin API for tasks under /Altiris/Console/api (JSON): create a task for agents (script, power
// action, inventory now), read a task with its per-agent statuses, list tasks and task servers,
// push new settings to task servers. Creating a task stores it first, then tickles the TSes.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { smpError } from '../../../shared/errors.js';
import { parseGuid } from '../../../shared/protocol/guid.js';
import { MAX_OUTPUT_BYTES, MAX_SCRIPT_BYTES, POWER_ACTIONS, TASK_TYPES, type TaskKind } from '../../../shared/protocol/task-xml.js';
import { simulateScript } from '../../../shared/task-script.js';
import { defineNsPlugin, type NsContext } from '../context.js';
import { jsonErrorHandler } from '../http-errors.js';
import { taskOptions, TICKLE_SERVERS } from './plugin.js';
import type { NewTask, StoredTask } from './task-store.js';

const MAX_TARGETS = 100_000;

export const taskConsolePlugin = defineNsPlugin({
  name: 'task-console-api',
  prefix: '/Altiris/Console/api',
  async register(scope, ctx) {
    scope.setErrorHandler(jsonErrorHandler);
    registerTaskRoutes(scope, ctx);
  },
});

function registerTaskRoutes(scope: FastifyInstance, ctx: NsContext): void {
  const tasks = ctx.store.tasks;
  const opts = taskOptions(ctx);

  scope.post('/tasks', async (req, reply) => {
    const t = parseNewTask(req.body, () => tasks.taskServers(opts.taskServerTtlMs).reduce((n, s) => n + s.clients, 0));
    const stored = tasks.create(t);
    const tickled = TICKLE_SERVERS.get(ctx)?.tickle(stored.version, stored.targets) ?? 0;
    ctx.log.info({ task: stored.id, version: stored.version, type: stored.type, expected: stored.expected, tickled }, 'task created');
    return reply.code(201).send({ id: stored.id, version: stored.version, expected: stored.expected, taskServersTickled: tickled });
  });

  scope.get<{ Querystring: { limit?: string; offset?: string } }>('/tasks', async (req) => {
    const { limit, offset } = pageOf(req.query, 100);
    return { tasks: tasks.list(limit, offset).map((t) => ({ ...summary(t), counts: tasks.counts(t.id) })) };
  });

  scope.get<{ Params: { id: string }; Querystring: { limit?: string; offset?: string } }>('/tasks/:id', async (req) => {
    const id = parseGuid(req.params.id, 'task id');
    const t = tasks.get(id);
    if (t === undefined) throw smpError('NOT_FOUND', `no task ${id}`, { id });
    const { limit, offset } = pageOf(req.query, 1000);
    const counts = tasks.counts(id);
    const answered = counts.received + counts.running + counts.completed + counts.failed;
    return {
      ...summary(t), counts: { ...counts, pending: Math.max(0, t.expected - answered) },
      done: counts.completed + counts.failed >= t.expected && t.expected > 0,
      statuses: tasks.statuses(id, limit, offset),
    };
  });

  scope.get('/task-servers', async () => ({ taskServers: tasks.taskServers(Number.MAX_SAFE_INTEGER).map((s) => ({
    ...s, live: Date.now() - s.updatedAt <= opts.taskServerTtlMs, linked: TICKLE_SERVERS.get(ctx)?.connected().includes(s.guid) ?? false,
  })) }));

  scope.put('/task-servers/settings', async (req) => {
    const body = req.body as Record<string, unknown> | null;
    const settings: Record<string, string> = {};
    for (const k of ['maxClients', 'keepAliveMs', 'pollIntervalMs']) {
      const v = body?.[k];
      if (v === undefined) continue;
      if (!Number.isInteger(v) || (v as number) < 1) throw smpError('BAD_INPUT', `${k} must be a positive integer`);
      settings[k] = String(v);
    }
    if (Object.keys(settings).length === 0) throw smpError('BAD_INPUT', 'give maxClients, keepAliveMs or pollIntervalMs');
    TICKLE_SERVERS.get(ctx)?.pushSettings(settings);
    return { settings, taskServers: TICKLE_SERVERS.get(ctx)?.connected().length ?? 0 };
  });
}

const summary = (t: StoredTask) => ({
  id: t.id, version: t.version, type: t.type, name: t.name, script: t.script, action: t.action, durationMs: t.durationMs,
  exitCode: t.exitCode, output: t.output, targets: t.targets ?? 'all', expected: t.expected, createdAt: t.createdAt,
});

function pageOf(q: { limit?: string; offset?: string }, max: number): { limit: number; offset: number } {
  const limit = q.limit === undefined ? max : Number(q.limit);
  const offset = q.offset === undefined ? 0 : Number(q.offset);
  if (!Number.isInteger(limit) || limit < 0 || limit > max || !Number.isInteger(offset) || offset < 0) {
    throw smpError('BAD_INPUT', `limit must be an integer from 0 to ${max}; offset an integer >= 0`);
  }
  return { limit, offset };
}

/** Validates a create-task body; run fields not given are drawn from the script (simulateScript). */
export function parseNewTask(body: unknown, allClients: () => number): NewTask {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw smpError('BAD_INPUT', 'a JSON object body is required');
  const b = body as Record<string, unknown>;
  const type = (b['type'] ?? 'script') as string;
  if (!(TASK_TYPES as readonly string[]).includes(type)) throw smpError('BAD_INPUT', `type must be one of ${TASK_TYPES.join(', ')}`);
  const str = (k: string, max: number, d = ''): string => {
    const v = b[k] ?? d;
    if (typeof v !== 'string' || Buffer.byteLength(v) > max) throw smpError('BAD_INPUT', `${k} must be a string of at most ${max} bytes`);
    return v;
  };
  const script = str('script', MAX_SCRIPT_BYTES);
  if (type === 'script' && script.trim() === '') throw smpError('BAD_INPUT', 'a script task needs a script');
  const action = str('action', 32, type === 'power' ? 'restart' : '');
  if (type === 'power' && !(POWER_ACTIONS as readonly string[]).includes(action)) {
    throw smpError('BAD_INPUT', `action must be one of ${POWER_ACTIONS.join(', ')}`);
  }
  const sim = simulateScript(script);
  const int = (k: string, d: number, min: number, max: number): number => {
    const v = b[k] ?? d;
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw smpError('BAD_INPUT', `${k} must be an integer from ${min} to ${max}`);
    return v as number;
  };
  const targets = parseTargets(b['targets']);
  return {
    id: randomUUID().toUpperCase(), type: type as TaskKind, name: str('name', 256, `${type} task`), script, action,
    durationMs: int('durationMs', sim.durationMs, 0, 86_400_000), exitCode: int('exitCode', sim.exitCode, -2147483648, 2147483647),
    output: str('output', MAX_OUTPUT_BYTES, sim.output), targets,
    expected: targets === null ? allClients() : targets.length,
  };
}

function parseTargets(v: unknown): string[] | null {
  if (v === 'all') return null;
  if (!Array.isArray(v) || v.length === 0) throw smpError('BAD_INPUT', 'targets must be "all" or a non-empty array of agent GUIDs');
  if (v.length > MAX_TARGETS) throw smpError('BAD_INPUT', `at most ${MAX_TARGETS} targets per task`);
  return [...new Set(v.map((g, i) => parseGuid(g, `targets[${i}]`)))];
}
