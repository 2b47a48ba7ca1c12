// The agent lifecycle against one NS, in order, over HTTP and HTTPS: download the installer,
// register, pull policies, post basic inventory, then follow the software-delivery policy to its
// package: package info, signed snapshot, ranged download of every file, checked against the hashes.
import t from 'tap';
import { createHash } from 'node:crypto';
import { decodeClientPoliciesResponse, encodeClientPoliciesPost } from '../../shared/protocol/client-policies.js';
import { decodeCreateResourceResponse } from '../../shared/protocol/create-resource.js';
import { parseGuid } from '../../shared/protocol/guid.js';
import { decodePackageInfo, packageInfoUrlPath } from '../../shared/protocol/package-info.js';
import { decodeSignedSnapshot, snapshotUrlPath, verifySignedSnapshot } from '../../shared/protocol/package-snapshot.js';
import { agentKey } from '../helpers/agent-key.js';
import { inventoryNse, register, XML } from '../helpers/agent-requests.js';
import { send, startTestNs } from '../helpers/ns.js';

const TYPE = '493435F7-3B17-4C4C-B07F-C23E7AB7781F';

t.test('download, register, policies, inventory, package info, snapshot, package download', async (t) => {
  const lab = await startTestNs({ packages: { installerSizes: { windows: 150_000, unix: 20_000 }, labPackages: { count: 1, payloadSize: 250_000 } } });
  t.teardown(() => lab.close());
  for (const [i, base] of [lab.http, lab.https].entries()) {
    const installer = await send(base, '/Altiris/NS/NSCap/Bin/Win32/X86/NS%20Client%20Package/AeXNSC.exe');
    t.equal(installer.body.length, 150_000, 'installer downloaded');

    const name = `LIFE-${i}`;
    const reg = decodeCreateResourceResponse((await register(base, { name, policyKey: agentKey().policyKey })).text);
    t.equal(reg.status, 'allowed');

    const pol = await send(base, '/Altiris/NS/Agent/GetClientPolicies.aspx', { headers: { ...XML, 'x-sma-id': reg.guid },
      body: encodeClientPoliciesPost({ guid: reg.guid, typeGuid: TYPE, configVersion: '2', secured: false, compress: false, hash: null, wrkstaName: null }) });
    const policies = decodeClientPoliciesResponse(pol.text).policies;
    const swd = policies.flatMap((p) => p.clientPolicies).find((c) => c.agentClsid === 'Altiris.SWD');
    const softPkg = swd?.content.flatMap((el) => el.children ?? []).find((el) => el.name === 'SoftPkg');
    t.ok(softPkg, 'the software delivery policy names a package');
    const packageGuid = parseGuid(softPkg!.attrs!['Id'], 'SoftPkg Id');

    const ev = await send(base, '/Altiris/NS/Agent/PostEvent.aspx', { headers: XML, body: inventoryNse(reg.guid, name) });
    t.equal(ev.status, 200, 'basic inventory acknowledged');

    const info = decodePackageInfo((await send(base, packageInfoUrlPath({ resource: reg.guid, version: '1', type: 'codebases',
      compress: false, totalTime: 0, packages: [packageGuid], addresses: ['127.0.0.1'] }))).text)[0]!;
    const snap = verifySignedSnapshot(decodeSignedSnapshot((await send(base, snapshotUrlPath({ packageGuid, resource: reg.guid }))).text), info.sourceKey);
    const cb = info.codebases[0]!;
    for (const f of snap.files) {
      const url = new URL(cb.url + f.name);
      const chunks: Buffer[] = [];
      for (let at = 0; at < f.size; at += 100_000) {
        const part = await send(url.origin, url.pathname, { headers: { range: `bytes=${at}-${Math.min(f.size, at + 100_000) - 1}` } });
        t.equal(part.status, 206);
        chunks.push(part.body);
      }
      t.equal(createHash('sha256').update(Buffer.concat(chunks)).digest('hex'), f.sha256, `${f.name} from ${cb.server} matches the snapshot`);
    }
  }
});
