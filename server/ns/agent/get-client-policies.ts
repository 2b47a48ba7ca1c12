// GetClientPolicies.aspx in both forms (legacy GET parameters, current POST <request>). Answers:
// plain XML (text/xml, secure attribute values withheld), `Compress` -> lab-compressed
// binary/octet-stream, `securedPolicy="1"` -> the secured envelope encrypted to the computer's
// registered policyKey (values included). An unchanged Hash gets the short answer.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { smpError } from '../../../shared/errors.js';
import {
  decodeClientPoliciesQuery, decodeClientPoliciesXml, wrapPoliciesResponse, type ClientPoliciesRequest,
} from '../../../shared/protocol/client-policies.js';
import { labCompress } from '../../../shared/protocol/lab-compression.js';
import { decodePolicyKey } from '../../../shared/protocol/policy-key.js';
import { encodeSecuredPolicy } from '../../../shared/protocol/secured-policy.js';
import type { NsContext } from '../context.js';
import { NO_POLICIES, PolicyAnswers } from '../policies/answers.js';
import { PlainAnswerBytes } from '../policies/answer-bytes.js';
import { bodyOf } from './body.js';
import { defineAgentPage } from './page.js';

export const BINARY_TYPE = 'binary/octet-stream';

function answer(ctx: NsContext, answers: PolicyAnswers, plain: PlainAnswerBytes, r: ClientPoliciesRequest, reply: FastifyReply, req: FastifyRequest) {
  const res = ctx.store.resources.get(r.guid);
  if (!res) throw smpError('UNKNOWN_RESOURCE', `resource {${r.guid}} is not registered on this NS; register with CreateResource.aspx first`, { agentGuid: r.guid });
  if (res.state === 'blocked') {
    ctx.feed.refusal();
    throw smpError('FORBIDDEN', `resource {${r.guid}} is blocked by the registration policy`, { agentGuid: r.guid });
  }
  ctx.store.resources.touch(res.guid);
  ctx.feed.checkIn(res.guid);
  const rendered = res.state === 'allowed' ? answers.forAllowed() : NO_POLICIES;
  const unchanged = r.hash !== null && r.hash.toUpperCase() === rendered.hash;
  const frame = { nsVersion: ctx.nsVersion, hash: rendered.hash, guid: res.guid, status: res.state };
  if (r.secured) {
    const xml = wrapPoliciesResponse(frame, unchanged ? null : rendered.secured);
    const payload = r.compress ? labCompress(xml) : Buffer.from(xml);
    req.log.debug({ agentGuid: res.guid, unchanged }, 'secured policies sent');
    return reply.type(BINARY_TYPE).send(encodeSecuredPolicy(payload, decodePolicyKey(res.policyKey)));
  }
  if (r.compress) return reply.type(BINARY_TYPE).send(labCompress(wrapPoliciesResponse(frame, unchanged ? null : rendered.plain)));
  return reply.type('text/xml; charset=utf-8').send(plain.bytes(rendered, res.guid, res.state, unchanged));
}

export const getClientPoliciesPage = defineAgentPage({
  name: 'GetClientPolicies.aspx',
  register(scope, ctx) {
    const answers = new PolicyAnswers(ctx.store.policies);
    const plain = new PlainAnswerBytes(ctx.nsVersion);
    scope.get('/GetClientPolicies.aspx', async (req, reply) =>
      answer(ctx, answers, plain, decodeClientPoliciesQuery(req.query as Record<string, unknown>), reply, req));
    scope.post('/GetClientPolicies.aspx', async (req, reply) =>
      answer(ctx, answers, plain, decodeClientPoliciesXml(bodyOf(req, 'GetClientPolicies')), reply, req));
  },
});
