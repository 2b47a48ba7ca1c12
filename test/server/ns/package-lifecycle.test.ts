import t from 'tap';
import { createHash } from 'node:crypto';
import { decodePackageInfo, packageInfoUrlPath, type PackageInfoRequest } from '../../../shared/protocol/package-info.js';
import { decodeSignedSnapshot, snapshotUrlPath, verifySignedSnapshot } from '../../../shared/protocol/package-snapshot.js';
import { encodeExternalPackageRequest } from '../../../shared/protocol/external-package.js';
import { LAB_PACKAGE_GUID } from '../../../server/ns/packages/library.js';
import { send, startTestNs, type TestNs } from '../../helpers/ns.js';
import { XML } from '../../helpers/agent-requests.js';

const AGENT = '8B031AC8-AB06-4460-998C-94837C9C4AE8';
const PAYLOAD = 300_001;
const OPTS = {
  packages: {
    installerSizes: { windows: 1024, unix: 1024 },
    labPackages: { count: 2, payloadSize: PAYLOAD },
    packageServers: [
      { name: 'ps-branch', host: 'localhost', subnets: ['10.20.0.0/16'] },
      { name: 'ps-loopback', subnets: ['127.0.0.0/8'] },
      { name: 'ps-host', subnets: ['127.0.0.5/32'] },
    ],
    downloadTryLimitMinutes: 60,
  },
};

const request = (over: Partial<PackageInfoRequest> = {}): PackageInfoRequest => ({
  resource: AGENT, version: '1', type: 'codebases', compress: false, totalTime: 0, packages: [LAB_PACKAGE_GUID], addresses: [], ...over,
});

async function packageInfo(lab: TestNs, base: string, over: Partial<PackageInfoRequest> = {}) {
  const r = await send(base, packageInfoUrlPath(request(over)));
  if (r.status !== 200) throw new Error(`GetPackageInfo ${r.status}: ${r.text}`);
  return decodePackageInfo(r.text);
}

t.test('codebases are ordered for the caller, and totalTime past the limit gives the NS-site source', async (t) => {
  const lab = await startTestNs(OPTS);
  t.teardown(() => lab.close());
  const servers = async (addresses: string[], totalTime = 0, base = lab.http) =>
    [...new Set((await packageInfo(lab, base, { addresses, totalTime }))[0]!.codebases.map((c) => c.server))];
  t.same(await servers(['10.20.3.4']), ['ps-branch', 'ps-loopback', 'ps-host', 'ns'], 'branch subnet first');
  t.same(await servers(['127.0.0.5']), ['ps-host', 'ps-loopback', 'ps-branch', 'ns'], 'longest prefix first');
  t.same(await servers(['192.168.1.1']), ['ps-branch', 'ps-loopback', 'ps-host', 'ns'], 'no match: configured order, NS last');
  t.same(await servers([]), ['ps-loopback', 'ps-branch', 'ps-host', 'ns'], 'no addresses: the connecting address (127.0.0.1) is used');
  t.same(await servers(['10.20.3.4'], 61), ['ns'], 'past MaxAgentDownloadTryingTimeMins only the NS-site source');
  t.same(await servers(['10.20.3.4'], 60), ['ps-branch', 'ps-loopback', 'ps-host', 'ns'], 'at the limit: all sources');

  const [info] = await packageInfo(lab, lab.https, { addresses: ['10.20.0.1'] });
  t.equal(info!.codebases[0]!.type, 'HTTPS', 'the scheme of the request is offered first');
  t.match(info!.codebases[0]!.url, /^https:\/\/localhost:\d+\/Altiris\/PS\/Share\/ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84\/cache\/$/);
  t.match(info!.codebases.at(-1)!.url, /\/Altiris\/PackageShare\/pkggroup_ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84\/$/);
  t.equal(info!.name, 'Lab package');
  t.ok(info!.size > PAYLOAD && info!.size < PAYLOAD + 1024, 'size = payload + small text files');
  t.ok(info!.sourceKey.length > 40, 'sourceKey present');

  const two = await packageInfo(lab, lab.http, { packages: [LAB_PACKAGE_GUID, (await packageInfoOfSecond(lab))] });
  t.equal(two.length, 2, 'several packages in one request');
});

async function packageInfoOfSecond(lab: TestNs): Promise<string> {
  const list = lab.ns.store.packages.list().map((p) => p.guid).filter((g) => g !== LAB_PACKAGE_GUID);
  return list[0]!;
}

t.test('lifecycle: package info -> signed snapshot -> ranged download from each codebase, HTTP and HTTPS', async (t) => {
  const lab = await startTestNs(OPTS);
  t.teardown(() => lab.close());
  for (const base of [lab.http, lab.https]) {
    const [info] = await packageInfo(lab, base, { addresses: ['127.0.0.1'] });
    const snapRes = await send(base, snapshotUrlPath({ packageGuid: info!.id, resource: AGENT, version: info!.version }));
    t.equal(snapRes.status, 200);
    const snapshot = verifySignedSnapshot(decodeSignedSnapshot(snapRes.text), info!.sourceKey);
    t.equal(snapshot.version, info!.version);
    t.same(snapshot.files.map((f) => f.name).sort(), ['AeXLabPayload.bin', 'docs/readme.txt', 'install.cmd']);
    t.equal(snapshot.files.reduce((n, f) => n + f.size, 0), info!.size, 'snapshot sizes add up to the package size');
    for (const cb of info!.codebases) {
      for (const f of snapshot.files) {
        const url = new URL(cb.url + f.name.split('/').map(encodeURIComponent).join('/'));
        const half = Math.floor(f.size / 2);
        const a = await send(url.origin, url.pathname, { headers: { range: `bytes=0-${half - 1}` } });
        const b = await send(url.origin, url.pathname, { headers: { range: `bytes=${half}-`, 'if-range': String(a.headers['etag']) } });
        t.equal(a.status, 206);
        t.equal(b.status, 206);
        const hash = createHash('sha256').update(a.body).update(b.body).digest('hex');
        t.equal(hash, f.sha256, `${cb.server} ${cb.type} ${f.name} hash matches the signed snapshot`);
      }
    }
  }
});

t.test('snapshot and package info refusals: unknown package, newer version asked, bad input', async (t) => {
  const lab = await startTestNs(OPTS);
  t.teardown(() => lab.close());
  const unknown = await send(lab.http, packageInfoUrlPath(request({ packages: ['11111111-2222-3333-4444-555555555555'] })));
  t.equal(unknown.status, 404);
  t.match(unknown.text, /SMP_ERR_NOT_FOUND.*\{11111111-2222-3333-4444-555555555555\} is not on this NS/);
  const newer = await send(lab.http, snapshotUrlPath({ packageGuid: LAB_PACKAGE_GUID, version: 99 }));
  t.equal(newer.status, 409);
  t.match(newer.text, /older than required/);
  const noGuid = await send(lab.http, '/Altiris/NS/Agent/GetPackageSnapshot.aspx');
  t.equal(noGuid.status, 400);
  t.match(noGuid.text, /SMP_ERR_MISSING_PARAMETER/);
  const noXml = await send(lab.http, '/Altiris/NS/Agent/GetPackageInfo.aspx');
  t.equal(noXml.status, 400);
  const badXml = await send(lab.http, `/Altiris/NS/Agent/GetPackageInfo.aspx?xml=${encodeURIComponent('<request resource="{')}`);
  t.equal(badXml.status, 400);
  t.match(badXml.text, /SMP_ERR_BAD_XML/);
  const post = await send(lab.https, '/Altiris/NS/Agent/GetPackageInfo.aspx', { headers: XML, body: `<request resource="{${AGENT}}" type="codebases"><packages><package guid="{${LAB_PACKAGE_GUID}}"/></packages></request>` });
  t.equal(post.status, 200, 'the request XML is also accepted as a POST body');
  const ok = await send(lab.http, packageInfoUrlPath(request()));
  t.equal(ok.status, 200, 'still serving');
});

t.test('CreateExternalPackage publishes a package whose files download and verify', async (t) => {
  const lab = await startTestNs(OPTS);
  t.teardown(() => lab.close());
  const body = encodeExternalPackageRequest({ name: 'Tools', files: [{ name: 'tools/setup.exe', size: 5000 }, { name: 'run.cmd', size: 10 }] });
  const res = await send(lab.http, '/Altiris/NS/Agent/CreateExternalPackage.aspx', { headers: XML, body });
  t.equal(res.status, 200, res.text);
  const [info] = decodePackageInfo(res.text);
  t.equal(info!.size, 5010);
  t.equal(info!.version, 1);
  const snap = verifySignedSnapshot(decodeSignedSnapshot((await send(lab.http, snapshotUrlPath({ packageGuid: info!.id }))).text), info!.sourceKey);
  const url = new URL(`${info!.codebases[0]!.url}tools/setup.exe`);
  const file = await send(url.origin, url.pathname);
  t.equal(createHash('sha256').update(file.body).digest('hex'), snap.files.find((f) => f.name === 'tools/setup.exe')!.sha256);
  const bigger = encodeExternalPackageRequest({ name: 'Tools', files: [{ name: 'tools/setup.exe', size: 6000 }] });
  const [v2] = decodePackageInfo((await send(lab.https, '/Altiris/NS/Agent/CreateExternalPackage.aspx', { headers: XML, body: bigger })).text);
  t.equal(v2!.codebases[0]!.type, 'HTTPS', 'published over HTTPS, HTTPS codebases first');
  t.equal(v2!.version, 2, 'changed content bumps the version');
  const lab1 = encodeExternalPackageRequest({ guid: LAB_PACKAGE_GUID, name: 'Hijack', files: [{ name: 'x', size: 1 }] });
  t.equal((await send(lab.http, '/Altiris/NS/Agent/CreateExternalPackage.aspx', { headers: XML, body: lab1 })).status, 409, 'a lab package is not replaced');
  const traversal = '<package name="x"><file name="../../ns.sqlite" size="1"/></package>';
  t.equal((await send(lab.http, '/Altiris/NS/Agent/CreateExternalPackage.aspx', { headers: XML, body: traversal })).status, 400);
  const huge = encodeExternalPackageRequest({ name: 'Huge', files: [{ name: 'x', size: 1 << 30 }] });
  t.equal((await send(lab.http, '/Altiris/NS/Agent/CreateExternalPackage.aspx', { headers: XML, body: huge })).status, 413);
});

t.test('packages, versions and the signing key survive a restart', async (t) => {
  const lab = await startTestNs(OPTS);
  const [before] = await packageInfo(lab, lab.http);
  await lab.close({ keepData: true });
  const again = await startTestNs(OPTS, lab.dataDir);
  t.teardown(() => again.close());
  const [after] = await packageInfo(again, again.http);
  t.equal(after!.sourceKey, before!.sourceKey);
  t.equal(after!.version, before!.version);
  const snap = decodeSignedSnapshot((await send(again.http, snapshotUrlPath({ packageGuid: LAB_PACKAGE_GUID }))).text);
  t.ok(verifySignedSnapshot(snap, before!.sourceKey), 'a snapshot after restart verifies with the key from before');
});
