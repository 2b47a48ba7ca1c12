// Admin API for the console's Computers view: one page of computers (search, state filter, sort,
// 50 a page by default) with each one's policy hash, latest event and latest task status, and one
// computer with its policies, events and task history. Reads only; decisions stay in resources.ts.
import type { FastifyInstance } from 'fastify';
import { smpError } from '../../../shared/errors.js';
import { parseGuid } from '../../../shared/protocol/guid.js';
import type { NsContext } from '../context.js';
import { NO_POLICIES, PolicyAnswers } from '../policies/answers.js';
import { COMPUTER_SORTS, type ComputerSort } from '../store/resource-search.js';
import { REGISTRATION_STATES, type RegistrationState } from '../store/resources.js';

interface ListQuery { q?: string; state?: string; sort?: string; dir?: string; limit?: string; offset?: string }

const MAX_PAGE = 500;
const MAX_SEARCH = 128;

function parseList(query: ListQuery) {
  const int = (v: string | undefined, d: number, max: number, what: string): number => {
    const x = v === undefined || v === '' ? d : Number(v);
    if (!Number.isInteger(x) || x < 0 || x > max) throw smpError('BAD_INPUT', `${what} must be an integer from 0 to ${max}`);
    return x;
  };
  const { q, state, sort, dir } = query;
  if (q !== undefined && q.length > MAX_SEARCH) throw smpError('BAD_INPUT', `q must be at most ${MAX_SEARCH} characters`);
  if (state !== undefined && state !== '' && !REGISTRATION_STATES.includes(state as RegistrationState)) {
    throw smpError('BAD_INPUT', `state must be one of ${REGISTRATION_STATES.join(', ')}`);
  }
  if (sort !== undefined && !(COMPUTER_SORTS as readonly string[]).includes(sort)) {
    throw smpError('BAD_INPUT', `sort must be one of ${COMPUTER_SORTS.join(', ')}`);
  }
  if (dir !== undefined && dir !== 'asc' && dir !== 'desc') throw smpError('BAD_INPUT', 'dir must be asc or desc');
  return {
    ...(q ? { q } : {}), ...(state ? { state: state as RegistrationState } : {}), sort: (sort ?? 'name') as ComputerSort,
    desc: dir === 'desc', limit: int(query.limit, 50, MAX_PAGE, 'limit'),
    offset: int(query.offset, 0, Number.MAX_SAFE_INTEGER, 'offset'),
  };
}

export function registerComputerRoutes(scope: FastifyInstance, ctx: NsContext): void {
  const { resources, events, tasks, policies } = ctx.store;
  const answers = new PolicyAnswers(policies);
  const hashOf = (state: RegistrationState) => (state === 'allowed' ? answers.forAllowed() : NO_POLICIES).hash;

  scope.get<{ Querystring: ListQuery }>('/computers', async (req) => {
    const started = process.hrtime.bigint();
    const query = parseList(req.query);
    const page = resources.search(query);
    const computers = page.rows.map((r) => {
      const event = events.forResource(r.guid, 1)[0];
      const task = tasks.forResource(r.guid, 1)[0];
      return {
        ...r, policyHash: hashOf(r.state),
        lastEvent: event ? { id: event.id, at: event.receivedAt, eventClass: event.to, queue: event.queue } : null,
        lastTask: task ? { taskId: task.taskId, name: task.name, state: task.state, at: task.updatedAt } : null,
      };
    });
    const serverMs = Number(process.hrtime.bigint() - started) / 1e6;
    return { total: page.total, offset: query.offset, limit: query.limit, sort: query.sort, dir: query.desc ? 'desc' : 'asc',
      serverMs: Math.round(serverMs * 100) / 100, computers };
  });

  scope.get<{ Params: { guid: string } }>('/computers/:guid', async (req) => {
    const guid = parseGuid(req.params.guid, 'computer guid');
    const r = resources.get(guid);
    if (!r) throw smpError('UNKNOWN_RESOURCE', `no computer ${guid} is registered`, { guid });
    const client = resources.search({ q: guid, limit: 1, offset: 0 }).rows.find((x) => x.guid === guid);
    const applied = r.state === 'allowed' ? policies.list().filter((p) => p.enabled) : [];
    return {
      guid: r.guid, name: r.name, domain: r.domain, fqdn: r.fqdn, uniqueId: r.uniqueId, state: r.state,
      address: client?.address ?? null, os: client?.os ?? null, createdAt: r.createdAt, lastSeenAt: r.lastSeenAt,
      policyKeyPending: r.pendingPolicyKey !== null, policyHash: hashOf(r.state),
      policies: applied.map((p) => ({ guid: p.guid, name: p.name, version: p.version, agentClsid: p.agentClsid })),
      events: events.forResource(guid, 50),
      tasks: tasks.forResource(guid, 50),
    };
  });
}
