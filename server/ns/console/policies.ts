// Admin API over client policies: list, get, put (create or replace; the version rises) and
// delete. Secure attribute values are never returned by this API, only their names.
import type { FastifyInstance } from 'fastify';
import { smpError } from '../../../shared/errors.js';
import { parseGuid } from '../../../shared/protocol/guid.js';
import type { XmlElement } from '../../../shared/protocol/xml.js';
import type { NsContext } from '../context.js';
import type { Policy } from '../store/policies.js';
import { parsePolicyInput } from './policy-input.js';

const redact = (el: XmlElement): XmlElement => ({
  ...el,
  ...(el.attrs ? { attrs: Object.fromEntries(Object.entries(el.attrs).map(([k, v]) => [k, el.secure?.includes(k) ? '' : v])) } : {}),
  ...(el.children ? { children: el.children.map(redact) } : {}),
});
const view = (p: Policy) => ({ ...p, content: p.content.map(redact) });

export function registerPolicyRoutes(scope: FastifyInstance, ctx: NsContext): void {
  const { policies } = ctx.store;
  const mustGet = (raw: string): Policy => {
    const guid = parseGuid(raw, 'policy guid');
    const p = policies.get(guid);
    if (!p) throw smpError('NOT_FOUND', `no policy ${guid}`, { guid });
    return p;
  };
  scope.get('/policies', async () => ({ revision: policies.revision, policies: policies.list().map(view) }));
  scope.get<{ Params: { guid: string } }>('/policies/:guid', async (req) => view(mustGet(req.params.guid)));
  scope.put<{ Params: { guid: string } }>('/policies/:guid', async (req) => {
    const input = parsePolicyInput(parseGuid(req.params.guid, 'policy guid'), req.body);
    const saved = policies.put(input);
    req.log.info({ policyGuid: saved.guid, version: saved.version }, 'policy saved through the admin API');
    return view(saved);
  });
  scope.delete<{ Params: { guid: string } }>('/policies/:guid', async (req, reply) => {
    const p = mustGet(req.params.guid);
    policies.remove(p.guid);
    req.log.info({ policyGuid: p.guid }, 'policy deleted through the admin API');
    return reply.code(204).send();
  });
}
