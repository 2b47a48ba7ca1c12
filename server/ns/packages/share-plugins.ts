// The package file shares: /Altiris/PackageShare/pkggroup_<GUID>/<file> (NS-hosted content) and
// /Altiris/PS/Share/<GUID>/cache/<file> (the Package Server role), both served from
// <data>/packages/<GUID>/ with @fastify/static, IIS-style (any case, ranges, conditional GETs).
// Only files recorded for a known package are reachable.
import { stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { smpError } from '../../../shared/errors.js';
import { isGuid, parseGuid } from '../../../shared/protocol/guid.js';
import { defineNsPlugin, type NsContext } from '../context.js';
import { xmlErrorHandler } from '../http-errors.js';
import { answerPreconditions, iisErrorPage, registerShareSender, sendShareFile, sharePathSegments } from '../static-share.js';
import { packageRole, type PackageRole } from './role.js';

type Req = FastifyRequest<{ Params: { '*': string } }>;

function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).type('text/html').send(iisErrorPage(404, 'File or directory not found.', 'The resource you are looking for might have been removed.'));
}

/** Sends file `name` of package `guid` (matched in any case) or a 404. */
async function sendPackageFile(ctx: NsContext, role: PackageRole, req: Req, reply: FastifyReply, guid: string, name: string):
  Promise<FastifyReply> {
  const real = role.library.resolveName(guid, name);
  if (real === undefined) return notFound(reply);
  const folder = role.library.folderOf(guid);
  const st = await stat(role.library.pathOf(guid, real)).catch((err: unknown) => {
    throw smpError('NOT_FOUND', `package file ${real} of {${guid}} is missing from the data folder`, {}, err);
  });
  if (answerPreconditions(req, reply, st)) return reply;
  ctx.feed.packageDownload((req.raw.socket as { encrypted?: boolean }).encrypted === true);
  return sendShareFile(reply, folder, real);
}

async function setUp(scope: FastifyInstance, ctx: NsContext): Promise<PackageRole> {
  const role = await packageRole(ctx);
  await registerShareSender(scope);
  scope.setErrorHandler(xmlErrorHandler);
  return role;
}

const GROUP = /^pkggroup_(.+)$/i;

export const packageSharePlugin = defineNsPlugin({
  name: 'package-share',
  prefix: '/Altiris/PackageShare',
  async register(scope, ctx) {
    const role = await setUp(scope, ctx);
    scope.get('/*', async (req: Req, reply) => {
      const [group, ...rest] = sharePathSegments(req.params['*']);
      const m = GROUP.exec(group ?? '');
      if (m === null || m[1] === undefined || !isGuid(m[1]) || rest.length === 0) return notFound(reply);
      return sendPackageFile(ctx, role, req, reply, parseGuid(m[1], 'package group'), rest.join('/'));
    });
  },
});

export const psSharePlugin = defineNsPlugin({
  name: 'ps-share',
  prefix: '/Altiris/PS/Share',
  async register(scope, ctx) {
    const role = await setUp(scope, ctx);
    scope.get('/*', async (req: Req, reply) => {
      const [guid, cache, ...rest] = sharePathSegments(req.params['*']);
      if (guid === undefined || !isGuid(guid) || cache?.toLowerCase() !== 'cache' || rest.length === 0) return notFound(reply);
      return sendPackageFile(ctx, role, req, reply, parseGuid(guid, 'package'), rest.join('/'));
    });
  },
});
