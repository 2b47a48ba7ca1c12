// CreateResource.aspx: registration and GUID assignment. A known GUID or any matching resource key
// (name.domain, fqdn, uniqueid) returns the existing GUID; otherwise a resource is created in the
// state of the registration policy. A different policyKey for a registered computer is refused
// unless signed with the old key (rekey-proof) -- never silently replaced, as the real NS does.
import type { FastifyRequest } from 'fastify';
import { smpError } from '../../../shared/errors.js';
import { decodeCreateResourceRequest, encodeCreateResourceResponse, type CreateResourceRequest, type ResourceKey } from '../../../shared/protocol/create-resource.js';
import { COMPUTER_TYPE_GUID, newGuid, parseGuid } from '../../../shared/protocol/guid.js';
import { decodePolicyKey } from '../../../shared/protocol/policy-key.js';
import { verifyRekey } from '../../../shared/protocol/rekey-proof.js';
import type { NsContext } from '../context.js';
import type { Resource } from '../store/resources.js';
import { bodyOf } from './body.js';
import { defineAgentPage } from './page.js';

function identity(r: CreateResourceRequest) {
  const nd = r.keys.find((k) => k.type === 'name.domain')?.value;
  const dot = nd?.indexOf('.') ?? -1;
  return {
    name: r.name,
    domain: nd !== undefined && dot > 0 ? nd.slice(dot + 1) : null,
    fqdn: r.keys.find((k) => k.type === 'fqdn')?.value ?? null,
    uniqueId: r.keys.find((k) => k.type === 'uniqueid')?.value ?? null,
  };
}

/** Keys used to find the computer; a request without keys is known by its name. */
const keysOf = (r: CreateResourceRequest): ResourceKey[] =>
  r.keys.length > 0 ? [...r.keys] : [{ type: 'name.domain', value: r.name }];

function checkKeyChange(ctx: NsContext, req: FastifyRequest, existing: Resource, r: CreateResourceRequest): void {
  if (existing.policyKey === r.policyKey) return;
  const proven = r.rekeySignature !== null && verifyRekey(existing.guid, r.policyKey, decodePolicyKey(existing.policyKey), r.rekeySignature);
  if (proven) {
    ctx.store.resources.setPolicyKey(existing.guid, r.policyKey);
    req.log.info({ agentGuid: existing.guid, clientIp: req.ip }, 'policyKey changed with proof of the old key');
    return;
  }
  ctx.store.resources.setPendingPolicyKey(existing.guid, r.policyKey);
  ctx.feed.refusal();
  req.log.warn({ agentGuid: existing.guid, clientIp: req.ip, signed: r.rekeySignature !== null },
    'refused policyKey change for a registered resource: no valid proof of the old key; kept the registered key, offered key held for an admin');
  throw smpError('FORBIDDEN', `policyKey change for registered resource {${existing.guid}} refused: sign the new key with the registered key `
    + '(rekeySignature) or ask an NS admin to re-key the resource', { agentGuid: existing.guid });
}

/** OS flavour an agent names in its User-Agent (`Altiris-Agent/<family> ...`), for the console. */
function osOf(req: FastifyRequest): string | null {
  const m = /^Altiris-Agent\/([\w.-]{1,32})/.exec(req.headers['user-agent'] ?? '');
  return m?.[1] ?? null;
}

export function registerResource(ctx: NsContext, req: FastifyRequest, r: CreateResourceRequest): Resource {
  const found = findOrCreate(ctx, req, r);
  ctx.store.resources.noteClient(found.guid, req.ip, osOf(req));
  return found;
}

function findOrCreate(ctx: NsContext, req: FastifyRequest, r: CreateResourceRequest): Resource {
  decodePolicyKey(r.policyKey);
  const { resources } = ctx.store;
  const keys = keysOf(r);
  const asked = r.guid ?? r.regRequest?.guid ?? null;
  // A request without keys is known by its name: the one computer of that host name in any domain.
  const existingGuid = (asked !== null && resources.get(asked) ? asked : undefined) ?? resources.findByKeys(keys) ??
    (r.keys.length === 0 ? resources.findByHostName(r.name) : undefined);
  if (existingGuid !== undefined) {
    const existing = resources.get(existingGuid)!;
    checkKeyChange(ctx, req, existing, r);
    resources.updateIdentity(existingGuid, identity(r), keys);
    return resources.get(existingGuid)!;
  }
  const created = resources.create({ guid: asked ?? newGuid(), typeGuid: COMPUTER_TYPE_GUID, policyKey: r.policyKey,
    state: ctx.options.registrationPolicy ?? 'allowed', ...identity(r) }, keys);
  req.log.info({ agentGuid: created.guid, name: created.name, state: created.state }, 'resource registered');
  return created;
}

export const createResourcePage = defineAgentPage({
  name: 'CreateResource.aspx',
  register(scope, ctx) {
    scope.post('/CreateResource.aspx', async (req, reply) => {
      const r = decodeCreateResourceRequest(bodyOf(req, 'CreateResource'));
      const smaId = req.headers['x-sma-id'];
      if (typeof smaId === 'string' && smaId !== '') parseGuid(smaId, 'X-SMA-ID header');
      // One group commit for every registration of this event-loop turn; the answer follows the commit.
      const res = await ctx.store.commit.run(() => registerResource(ctx, req, r));
      ctx.feed.registration(res.guid, res.name, res.state);
      if (res.state === 'blocked') ctx.feed.refusal();
      return reply.type('text/xml; charset=utf-8')
        .send(encodeCreateResourceResponse({ guid: res.guid, typeGuid: res.typeGuid, status: res.state }));
    });
  },
});
