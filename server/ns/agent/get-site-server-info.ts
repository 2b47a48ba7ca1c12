// GetSiteServerInfo.aspx (smp-lab 1): the package servers and the NS, in the order an agent at
// the given addresses (or its connecting address) should use them.
import { decodeSiteServerQuery, encodeSiteServers } from '../../../shared/protocol/site-servers.js';
import type { Query } from '../../../shared/protocol/query.js';
import { orderEntries, siteServersFor } from '../packages/codebases.js';
import { callerAddresses, endpointsFor } from '../packages/endpoints.js';
import { packageRole } from '../packages/role.js';
import { defineAgentPage } from './page.js';

export const getSiteServerInfoPage = defineAgentPage({
  name: 'GetSiteServerInfo.aspx',
  register(scope, ctx) {
    scope.get('/GetSiteServerInfo.aspx', async (req, reply) => {
      const q = decodeSiteServerQuery(req.query as Query);
      const role = await packageRole(ctx);
      const addresses = callerAddresses(q.addresses, req);
      const servers = siteServersFor(orderEntries(role.sites, addresses, false), addresses, endpointsFor(ctx, role, req));
      return reply.type('text/xml; charset=utf-8').send(encodeSiteServers(q.resource, servers));
    });
  },
});
