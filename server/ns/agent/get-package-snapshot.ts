// GetPackageSnapshot.aspx (smp-lab 1): the package manifest (names, sizes, SHA-256) signed with the
// NS key whose public half GetPackageInfo gives as `sourceKey`. An agent that asks for a newer
// version than the NS holds gets the "package on server is older than required" refusal (409).
import { smpError } from '../../../shared/errors.js';
import { decodeSnapshotQuery, encodeSignedSnapshot, encodeSnapshot, signSnapshot } from '../../../shared/protocol/package-snapshot.js';
import type { Query } from '../../../shared/protocol/query.js';
import { packageRole } from '../packages/role.js';
import { defineAgentPage } from './page.js';

export const getPackageSnapshotPage = defineAgentPage({
  name: 'GetPackageSnapshot.aspx',
  register(scope, ctx) {
    // One signature per package version: signing is cheap, but agents ask again on every retry.
    const signed = new Map<string, string>();
    scope.get('/GetPackageSnapshot.aspx', async (req, reply) => {
      const q = decodeSnapshotQuery(req.query as Query);
      const role = await packageRole(ctx);
      const pkg = role.library.get(q.packageGuid);
      if (pkg === undefined) throw smpError('NOT_FOUND', `package {${q.packageGuid}} is not on this NS`, { package: q.packageGuid });
      if (q.version !== undefined && q.version > pkg.version) {
        req.log.warn({ package: pkg.guid, required: q.version, onServer: pkg.version, agentGuid: q.resource },
          `Package {${pkg.guid}} on server is older than required (version ${pkg.version} < ${q.version})`);
        throw smpError('CONFLICT', `package on server is older than required: {${pkg.guid}} is version ${pkg.version}, ${q.version} was asked for`);
      }
      const key = `${pkg.guid}:${pkg.version}`;
      let body = signed.get(key);
      if (body === undefined) {
        const xml = encodeSnapshot({ packageId: pkg.guid, version: pkg.version, files: pkg.files.map(({ name, size, sha256 }) => ({ name, size, sha256 })) });
        body = encodeSignedSnapshot(signSnapshot(xml, pkg.guid, role.key.privateKey, role.key.publicSpki));
        signed.set(key, body);
      }
      return reply.type('text/xml; charset=utf-8').send(body);
    });
  },
});
