// Admin API over registered computers: list, get, approve/block, re-key (the only way to change
// a registered policyKey without proof of the old key). Every decision is logged.
import type { FastifyInstance } from 'fastify';
import { smpError } from '../../../shared/errors.js';
import { parseGuid } from '../../../shared/protocol/guid.js';
import { decodePolicyKey } from '../../../shared/protocol/policy-key.js';
import type { NsContext } from '../context.js';
import { REGISTRATION_STATES, type RegistrationState, type Resource } from '../store/resources.js';

const view = (r: Resource) => ({ ...r, policyKeyPending: r.pendingPolicyKey !== null });

export function registerResourceRoutes(scope: FastifyInstance, ctx: NsContext): void {
  const { resources } = ctx.store;
  const mustGet = (raw: string): Resource => {
    const guid = parseGuid(raw, 'resource guid');
    const r = resources.get(guid);
    if (!r) throw smpError('UNKNOWN_RESOURCE', `no resource ${guid} is registered`, { guid });
    return r;
  };

  scope.get<{ Querystring: { state?: string; limit?: string; offset?: string } }>('/resources', async (req) => {
    const { state, limit, offset } = req.query;
    if (state !== undefined && !REGISTRATION_STATES.includes(state as RegistrationState)) {
      throw smpError('BAD_INPUT', `state must be one of ${REGISTRATION_STATES.join(', ')}`);
    }
    const n = (v: string | undefined, d: number, max: number) => {
      const x = v === undefined ? d : Number(v);
      if (!Number.isInteger(x) || x < 0 || x > max) throw smpError('BAD_INPUT', `limit/offset must be integers from 0 to ${max}`);
      return x;
    };
    const list = resources.list({ limit: n(limit, 100, 10000), offset: n(offset, 0, Number.MAX_SAFE_INTEGER),
      ...(state ? { state: state as RegistrationState } : {}) });
    return { total: resources.count(), resources: list.map(view) };
  });

  scope.get<{ Params: { guid: string } }>('/resources/:guid', async (req) => view(mustGet(req.params.guid)));

  // Registration decision: approve (allowed), block, or hold (pending).
  scope.post<{ Params: { guid: string }; Body: unknown }>('/resources/:guid/state', async (req) => {
    const r = mustGet(req.params.guid);
    const state = (req.body as { state?: unknown } | null)?.state;
    if (typeof state !== 'string' || !REGISTRATION_STATES.includes(state as RegistrationState)) {
      throw smpError('BAD_INPUT', `body must be { "state": one of ${REGISTRATION_STATES.join(', ')} }`);
    }
    resources.setState(r.guid, state as RegistrationState);
    req.log.info({ agentGuid: r.guid, from: r.state, to: state }, 'registration state changed through the admin API');
    return view(mustGet(r.guid));
  });

  // Admin re-key: set the given policyKey, or accept the key the computer offered and was refused.
  scope.post<{ Params: { guid: string }; Body: unknown }>('/resources/:guid/rekey', async (req) => {
    const r = mustGet(req.params.guid);
    const given = (req.body as { policyKey?: unknown } | null)?.policyKey;
    if (given !== undefined && typeof given !== 'string') throw smpError('BAD_INPUT', 'policyKey must be a base64 string');
    const key = given ?? r.pendingPolicyKey;
    if (key === null) throw smpError('CONFLICT', `resource ${r.guid} offered no new policyKey; give { "policyKey": "..." }`);
    decodePolicyKey(key);
    resources.setPolicyKey(r.guid, key);
    req.log.warn({ agentGuid: r.guid, source: given === undefined ? 'offered key accepted' : 'key given by admin' }, 'policyKey replaced through the admin API');
    return view(mustGet(r.guid));
  });
}
