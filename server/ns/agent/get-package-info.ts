// GetPackageInfo.aspx: codebases of packages for the calling agent (`?xml=<request
// type="codebases">`, or the same XML as a POST body), ordered for the caller's addresses; past
// the download-time limit (totalTime) only the NS-site source. Unknown packages are a 404.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { smpError } from '../../../shared/errors.js';
import { decodePackageInfoRequest, encodePackageInfo, type PackageInfo, type PackageInfoRequest } from '../../../shared/protocol/package-info.js';
import { queryParam, type Query } from '../../../shared/protocol/query.js';
import type { NsContext } from '../context.js';
import { codebasesFor, orderEntries, type Endpoints } from '../packages/codebases.js';
import { callerAddresses, endpointsFor } from '../packages/endpoints.js';
import { packageRole, type PackageRole } from '../packages/role.js';
import { packageSize, type PackageRecord } from '../store/packages.js';
import { defineAgentPage } from './page.js';

const MAX_XML = 16_384;

export function packageInfoOf(role: PackageRole, pkg: PackageRecord, addresses: readonly string[], nsOnly: boolean, ep: Endpoints): PackageInfo {
  return {
    id: pkg.guid, name: pkg.name, size: packageSize(pkg), version: pkg.version, remote: false, priority: pkg.priority,
    status: 'valid', statusDescription: 'valid', minspeed: pkg.minSpeed, enableMulticast: pkg.enableMulticast,
    sourceKey: role.key.sourceKey, codebases: codebasesFor(pkg.guid, orderEntries(role.sites, addresses, nsOnly), ep),
  };
}

async function answer(ctx: NsContext, r: PackageInfoRequest, req: FastifyRequest, reply: FastifyReply) {
  const role = await packageRole(ctx);
  const pkgs = r.packages.map((g) => {
    const p = role.library.get(g);
    if (p === undefined) throw smpError('NOT_FOUND', `package {${g}} is not on this NS`, { package: g });
    return p;
  });
  const nsOnly = r.totalTime > role.options.downloadTryLimitMinutes;
  if (nsOnly) {
    req.log.info({ agentGuid: r.resource, totalTime: r.totalTime, limit: role.options.downloadTryLimitMinutes },
      'download time limit passed: answering the NS-site source only');
  }
  const ep = endpointsFor(ctx, role, req);
  const addresses = callerAddresses(r.addresses, req);
  req.log.debug({ agentGuid: r.resource, packages: r.packages.length }, 'package info');
  return reply.type('text/xml; charset=utf-8').send(encodePackageInfo(pkgs.map((p) => packageInfoOf(role, p, addresses, nsOnly, ep))));
}

export const getPackageInfoPage = defineAgentPage({
  name: 'GetPackageInfo.aspx',
  register(scope, ctx) {
    scope.get('/GetPackageInfo.aspx', async (req, reply) => {
      const xml = queryParam(req.query as Query, 'xml', MAX_XML);
      if (xml === undefined || xml === '') throw smpError('MISSING_PARAMETER', 'GetPackageInfo.aspx needs ?xml=<request type="codebases" ...>');
      return answer(ctx, decodePackageInfoRequest(xml), req, reply);
    });
    scope.post('/GetPackageInfo.aspx', async (req, reply) => {
      const body = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw smpError('MISSING_PARAMETER', 'GetPackageInfo.aspx needs a <request> body or ?xml=');
      return answer(ctx, decodePackageInfoRequest(body.toString('utf8')), req, reply);
    });
  },
});
