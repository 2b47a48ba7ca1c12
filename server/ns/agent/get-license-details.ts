// GetLicenseDetails.aspx (smp-lab 1): the agent licence of the calling computer. A registered
// computer is Licensed while the registered count is within the lab seat count, OverLimit past
// it; an unknown GUID is Unregistered (answered 200, as the page reports rather than refuses).
import { decodeLicenseQuery, encodeLicenseDetails, type LicenseStatus } from '../../../shared/protocol/license-details.js';
import type { Query } from '../../../shared/protocol/query.js';
import { packageOptions } from '../packages/options.js';
import { defineAgentPage } from './page.js';

export const AGENT_PRODUCT = 'Symantec Management Agent';

export const getLicenseDetailsPage = defineAgentPage({
  name: 'GetLicenseDetails.aspx',
  register(scope, ctx) {
    const seats = packageOptions(ctx.options.packages).licenseSeats;
    scope.get('/GetLicenseDetails.aspx', async (req, reply) => {
      const guid = decodeLicenseQuery(req.query as Query);
      const used = ctx.store.resources.count();
      const known = ctx.store.resources.get(guid) !== undefined;
      const status: LicenseStatus = !known ? 'Unregistered' : used <= seats ? 'Licensed' : 'OverLimit';
      return reply.type('text/xml; charset=utf-8').send(encodeLicenseDetails(guid, [{ product: AGENT_PRODUCT, status, seats, used }]));
    });
  },
});
