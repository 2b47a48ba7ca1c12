// AltirisAgentDownload.aspx (smp-lab 1): sends the agent to its installer under /Altiris/NS/NSCap
// with a 302, as ASP.NET's Response.Redirect answers (an "Object moved" body). `platform` picks
// windows (default), linux-x64 or mac.
import { smpError } from '../../../shared/errors.js';
import { queryParam, type Query } from '../../../shared/protocol/query.js';
import { installerUrlPath, type InstallerPlatform } from '../nscap/installers.js';
import { packageRole } from '../packages/role.js';
import { defineAgentPage } from './page.js';

const PLATFORMS: readonly InstallerPlatform[] = ['windows', 'linux-x64', 'mac'];

export const altirisAgentDownloadPage = defineAgentPage({
  name: 'AltirisAgentDownload.aspx',
  register(scope, ctx) {
    scope.get('/AltirisAgentDownload.aspx', async (req, reply) => {
      const p = (queryParam(req.query as Query, 'platform', 32) ?? 'windows').toLowerCase();
      if (!PLATFORMS.includes(p as InstallerPlatform)) throw smpError('BAD_INPUT', `platform must be one of ${PLATFORMS.join(', ')}`);
      const role = await packageRole(ctx);
      const spec = role.installers.find((i) => i.platform === p);
      if (spec === undefined) throw smpError('NOT_FOUND', `no installer for ${p}`);
      const to = installerUrlPath(spec);
      return reply.code(302).header('Location', to).type('text/html; charset=utf-8')
        .send(`<html><head><title>Object moved</title></head><body>\r\n<h2>Object moved to <a href="${to}">here</a>.</h2>\r\n</body></html>\r\n`);
    });
  },
});
