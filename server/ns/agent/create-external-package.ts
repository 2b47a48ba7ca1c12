// CreateExternalPackage.aspx (smp-lab 1): publishes a package whose files the NS generates
// deterministically from the names and sizes in the request, then answers as GetPackageInfo does
// for that package. Bounded by count and size limits; never replaces a lab package.
import { smpError } from '../../../shared/errors.js';
import { decodeExternalPackageRequest } from '../../../shared/protocol/external-package.js';
import { encodePackageInfo } from '../../../shared/protocol/package-info.js';
import { callerAddresses, endpointsFor } from '../packages/endpoints.js';
import { guidFromName } from '../packages/library.js';
import { packageRole } from '../packages/role.js';
import { bodyOf } from './body.js';
import { packageInfoOf } from './get-package-info.js';
import { defineAgentPage } from './page.js';

export const createExternalPackagePage = defineAgentPage({
  name: 'CreateExternalPackage.aspx',
  register(scope, ctx) {
    scope.post('/CreateExternalPackage.aspx', async (req, reply) => {
      const role = await packageRole(ctx);
      const limits = role.options.externalPackages;
      if (!limits.enabled) throw smpError('FORBIDDEN', 'CreateExternalPackage.aspx is disabled on this NS (--no-external-packages)');
      const r = decodeExternalPackageRequest(bodyOf(req, 'CreateExternalPackage'), limits);
      const guid = r.guid ?? guidFromName(`smp-lab external package ${r.name}`);
      const prior = role.library.get(guid);
      if (prior !== undefined && prior.origin !== 'external') throw smpError('CONFLICT', `package {${guid}} is a ${prior.origin} package and cannot be replaced`);
      if (prior === undefined && role.library.list().filter((p) => p.origin === 'external').length >= limits.maxPackages) {
        throw smpError('CAPACITY', `this NS already holds ${limits.maxPackages} external packages`);
      }
      const rec = await role.library.materialise({ guid, name: r.name, origin: 'external', files: r.files });
      req.log.info({ package: guid, files: rec.files.length, version: rec.version }, 'external package published');
      const info = packageInfoOf(role, rec, callerAddresses([], req), false, endpointsFor(ctx, role, req));
      return reply.type('text/xml; charset=utf-8').send(encodePackageInfo([info]));
    });
  },
});
