import t from 'tap';
import forge from 'node-forge';
import { decodeCreateResourceResponse } from '../../../shared/protocol/create-resource.js';
import { connectionTestUrlPath, decodeUploadAnswer } from '../../../shared/protocol/connection-test.js';
import { decodeLicenseDetails, licenseDetailsUrlPath } from '../../../shared/protocol/license-details.js';
import { decodeSiteServers, siteServerUrlPath } from '../../../shared/protocol/site-servers.js';
import { deterministicSha256 } from '../../../server/ns/deterministic-content.js';
import { createHash } from 'node:crypto';
import { agentKey, type AgentKey } from '../../helpers/agent-key.js';
import { register } from '../../helpers/agent-requests.js';
import { send, startTestNs } from '../../helpers/ns.js';

const OPTS = { packages: { installerSizes: { windows: 2048, unix: 1024 }, labPackages: { count: 1, payloadSize: 1024 }, licenseSeats: 1, connectionTestMaxBytes: 100_000 } };

function csrFor(key: AgentKey, cn: string): string {
  const priv = forge.pki.privateKeyFromPem(key.privatePem) as forge.pki.rsa.PrivateKey;
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(priv.n, priv.e);
  csr.setSubject([{ name: 'commonName', value: cn }]);
  csr.sign(priv, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

t.test('licence, site servers, connection test and agent download over HTTP and HTTPS', async (t) => {
  const lab = await startTestNs(OPTS);
  t.teardown(() => lab.close());
  const a = decodeCreateResourceResponse((await register(lab.http, { name: 'WS-1', policyKey: agentKey().policyKey })).text).guid;
  const b = decodeCreateResourceResponse((await register(lab.http, { name: 'WS-2', policyKey: agentKey().policyKey })).text).guid;
  for (const base of [lab.http, lab.https]) {
    const la = decodeLicenseDetails((await send(base, licenseDetailsUrlPath(a))).text);
    t.same(la.licenses[0], { product: 'Symantec Management Agent', status: 'OverLimit', seats: 1, used: 2 }, 'two computers on one seat');
    const unknown = decodeLicenseDetails((await send(base, licenseDetailsUrlPath('11111111-2222-3333-4444-555555555555'))).text);
    t.equal(unknown.licenses[0]!.status, 'Unregistered');
    t.equal((await send(base, '/Altiris/NS/Agent/GetLicenseDetails.aspx?resourceGuid=zzz')).status, 400);

    const sites = decodeSiteServers((await send(base, siteServerUrlPath({ resource: b, addresses: ['127.0.0.9'] }))).text);
    t.same(sites.map((s) => [s.name, s.type, s.local]), [['ps-local', 'PackageServer', true], ['ns', 'NotificationServer', false]]);
    t.match(sites[0]!.urls[0]!, base.startsWith('https') ? /^https:/ : /^http:/);

    const ping = await send(base, connectionTestUrlPath());
    t.equal(ping.text, 'OK');
    const dl = await send(base, connectionTestUrlPath(50_000));
    t.equal(dl.body.length, 50_000);
    t.equal(createHash('sha256').update(dl.body).digest('hex'), await deterministicSha256('connection-test', 50_000));
    const up = await send(base, connectionTestUrlPath(), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(70_000, 1) });
    t.equal(decodeUploadAnswer(up.text), 70_000);
    t.equal((await send(base, connectionTestUrlPath(100_001))).status, 400, 'download over the limit refused');
    const tooBig = await send(base, connectionTestUrlPath(), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(100_001) });
    t.equal(tooBig.status, 413, 'upload over the limit refused');

    for (const [platform, file] of [['windows', 'AeXNSC.exe'], ['linux-x64', 'aex-bootstrap-linux'], ['mac', 'aex-bootstrap-macos']] as const) {
      const moved = await send(base, `/Altiris/NS/Agent/AltirisAgentDownload.aspx?platform=${platform}`);
      t.equal(moved.status, 302);
      t.match(String(moved.headers['location']), new RegExp(`^/Altiris/NS/NSCap/Bin/.*/${file}$`));
      t.equal((await send(base, String(moved.headers['location']))).status, 200, `${platform} installer reachable`);
    }
    t.equal((await send(base, '/Altiris/NS/Agent/AltirisAgentDownload.aspx?platform=amiga')).status, 400);
  }
});

t.test('certificate pages: server certificate, client certificate bound to the registered key, migration copy', async (t) => {
  const lab = await startTestNs(OPTS);
  t.teardown(() => lab.close());
  const pem = await send(lab.https, '/Altiris/NS/Agent/GetServerCertificate.aspx');
  t.equal(pem.text.trim(), lab.cert.cert.trim());
  const der = await send(lab.http, '/Altiris/NS/Agent/GetServerCertificate.aspx?format=der');
  t.equal(der.headers['content-type'], 'application/pkix-cert');
  t.equal(forge.pki.certificateToPem(forge.pki.certificateFromAsn1(forge.asn1.fromDer(der.body.toString('binary')))).trim(), lab.cert.cert.trim());

  const key = agentKey();
  const guid = decodeCreateResourceResponse((await register(lab.http, { name: 'WS-CERT', policyKey: key.policyKey })).text).guid;
  const ask = (body: string, id = guid) => send(lab.https, '/Altiris/NS/Agent/GetClientCertificate.aspx', { headers: { 'content-type': 'application/pkcs10', 'x-sma-id': id }, body });
  const issued = await ask(csrFor(key, `{${guid}}`));
  t.equal(issued.status, 200, issued.text);
  const [leafPem, issuerPem] = issued.text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
  const leaf = forge.pki.certificateFromPem(leafPem!);
  const issuer = forge.pki.certificateFromPem(issuerPem!);
  t.ok(issuer.verify(leaf), 'leaf signed by the NS client issuer');
  t.equal(leaf.subject.getField('CN').value, `{${guid}}`);

  const other = agentKey();
  t.equal((await ask(csrFor(other, `{${guid}}`))).status, 403, 'a CSR with another key than the registered policyKey is refused');
  t.equal((await ask(csrFor(key, '{11111111-2222-3333-4444-555555555555}'))).status, 403, 'a CSR for another name is refused');
  t.equal((await ask(csrFor(key, `{${guid}}`), '11111111-2222-3333-4444-555555555555')).status, 404, 'unknown computer');
  t.equal((await ask('not a csr')).status, 400);

  for (const base of [lab.http, lab.https]) {
    const mig = await send(base, `/Altiris/NS/Agent/GetClientCertificateMig.aspx?resourceGuid={${guid}}`);
    t.equal(mig.status, 200);
    t.equal(mig.text.trim(), leafPem!.trim());
  }
  t.equal((await send(lab.http, '/Altiris/NS/Agent/GetClientCertificateMig.aspx?resourceGuid=11111111-2222-3333-4444-555555555555')).status, 404);
});
