// /Altiris/NS/NSCap: the agent installers (Windows AeXNSC.exe, Linux and Mac bootstraps) served
// from the data folder with @fastify/static, as IIS serves a static directory: any case, ranges,
// conditional GETs. Only the generated installers are reachable; nothing else under the folder.
import { stat } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { smpError } from '../../../shared/errors.js';
import { defineNsPlugin } from '../context.js';
import { xmlErrorHandler } from '../http-errors.js';
import { packageRole } from '../packages/role.js';
import { answerPreconditions, iisErrorPage, registerShareSender, sendShareFile, sharePathSegments } from '../static-share.js';

export const nscapPlugin = defineNsPlugin({
  name: 'nscap',
  prefix: '/Altiris/NS/NSCap',
  async register(scope, ctx) {
    const role = await packageRole(ctx);
    await registerShareSender(scope);
    scope.setErrorHandler(xmlErrorHandler);
    const index = new Map(role.installers.map((i) => [i.rel.toLowerCase(), i.rel]));
    const serve = async (req: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
      const rel = index.get(sharePathSegments(req.params['*']).join('/').toLowerCase());
      if (rel === undefined) {
        return reply.code(404).type('text/html').send(iisErrorPage(404, 'File or directory not found.', 'The resource you are looking for might have been removed.'));
      }
      const st = await stat(`${role.nscapRoot}/${rel}`).catch((err: unknown) => {
        throw smpError('NOT_FOUND', `installer ${rel} is missing from the data folder`, {}, err);
      });
      if (answerPreconditions(req, reply, st)) return reply;
      req.log.debug({ file: rel }, 'installer download');
      return sendShareFile(reply, role.nscapRoot, rel);
    };
    scope.get('/*', serve);
  },
});
