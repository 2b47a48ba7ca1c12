import t from 'tap';
import {
  decodePackageInfo, decodePackageInfoRequest, encodePackageInfo, encodePackageInfoRequest, packageInfoUrlPath,
  type PackageInfo, type PackageInfoRequest,
} from '../../../shared/protocol/package-info.js';
import { isSmpError } from '../../../shared/errors.js';

const REQ: PackageInfoRequest = {
  resource: '8B031AC8-AB06-4460-998C-94837C9C4AE8', version: '1', type: 'codebases', compress: false, totalTime: 0,
  packages: ['ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84'], addresses: ['10.20.0.42', 'fe80::1'],
};

t.test('request round-trips and matches the KB 179874 vocabulary', async (t) => {
  const xml = encodePackageInfoRequest(REQ);
  t.match(xml, /^<request resource="\{8B031AC8-AB06-4460-998C-94837C9C4AE8\}" version="1" type="codebases" compress="0" totalTime="0">/);
  t.same(decodePackageInfoRequest(xml), REQ);
  const path = packageInfoUrlPath(REQ);
  t.match(path, /^\/Altiris\/NS\/Agent\/GetPackageInfo\.aspx\?xml=%3Crequest%20resource%3D/);
  t.same(decodePackageInfoRequest(decodeURIComponent(path.split('?xml=')[1]!)), REQ);
});

t.test('agents written XML in other case and spacing still decodes', async (t) => {
  const r = decodePackageInfoRequest(`<?xml version="1.0"?>\n<request Resource="{8b031ac8-ab06-4460-998c-94837c9c4ae8}" version="1" type="codebases" compress="1" totalTime="75">
    <packages><package guid="{acaeb846-4ee0-4ab6-a8c2-bb1cf9ff2b84}"/><package guid="11111111-2222-3333-4444-555555555555"/></packages>
    <addresses/></request>`);
  t.equal(r.resource, '8B031AC8-AB06-4460-998C-94837C9C4AE8');
  t.equal(r.compress, true);
  t.equal(r.totalTime, 75);
  t.same(r.packages, ['ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84', '11111111-2222-3333-4444-555555555555']);
  t.same(r.addresses, []);
});

t.test('bad requests give typed errors', async (t) => {
  const cases: Array<[string, string]> = [
    ['<request', 'SMP_ERR_BAD_XML'],
    ['<nope/>', 'SMP_ERR_BAD_INPUT'],
    ['<request type="files" resource="{8B031AC8-AB06-4460-998C-94837C9C4AE8}"><packages><package guid="{ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84}"/></packages></request>', 'SMP_ERR_BAD_INPUT'],
    ['<request resource="x"><packages><package guid="{ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84}"/></packages></request>', 'SMP_ERR_BAD_GUID'],
    ['<request resource="{8B031AC8-AB06-4460-998C-94837C9C4AE8}"><packages/></request>', 'SMP_ERR_MISSING_PARAMETER'],
    ['<request resource="{8B031AC8-AB06-4460-998C-94837C9C4AE8}" totalTime="-1"><packages><package guid="{ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84}"/></packages></request>', 'SMP_ERR_BAD_INPUT'],
    ['<request resource="{8B031AC8-AB06-4460-998C-94837C9C4AE8}"><packages><package guid="{ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84}"/></packages><addresses><address ip="999.1.1.1"/></addresses></request>', 'SMP_ERR_BAD_INPUT'],
    ['<!DOCTYPE x [<!ENTITY a "b">]><request/>', 'SMP_ERR_BAD_XML'],
    [`<request resource="{8B031AC8-AB06-4460-998C-94837C9C4AE8}"><packages>${'<package guid="{ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84}"/>'.repeat(65)}</packages></request>`, 'SMP_ERR_BAD_INPUT'],
    [`<request>${'x'.repeat(20_000)}</request>`, 'SMP_ERR_TOO_LARGE'],
  ];
  for (const [xml, code] of cases) {
    t.throws(() => decodePackageInfoRequest(xml), { code }, `${xml.slice(0, 60)} -> ${code}`);
  }
});

const INFO: PackageInfo = {
  id: 'ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84', name: 'Lab package & "friends"', size: 1048576, version: 3, remote: false,
  priority: 'Normal', status: 'valid', statusDescription: 'valid', minspeed: 0, enableMulticast: false, sourceKey: 'MCowBQYDK2VwAyEA',
  codebases: [
    { url: 'http://127.0.0.1:8080/Altiris/PS/Share/ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84/cache/', type: 'HTTP', server: 'ps1' },
    { url: 'https://127.0.0.1:8443/Altiris/PackageShare/pkggroup_ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84/', type: 'HTTPS', server: 'ns' },
  ],
};

t.test('answer round-trips, one package as <Package>, several wrapped', async (t) => {
  const one = encodePackageInfo([INFO]);
  t.match(one, /^<Package id="\{ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84\}" name="Lab package &amp; &quot;friends&quot;"/);
  t.match(one, /<Source><Codebase url="http:\/\/127.0.0.1:8080\/Altiris\/PS\/Share\/.*" type="HTTP" server="ps1"\/>/);
  t.same(decodePackageInfo(one), [INFO]);
  const two = encodePackageInfo([INFO, { ...INFO, id: '11111111-2222-3333-4444-555555555555', codebases: [] }]);
  t.match(two, /^<Packages><Package /);
  t.equal(decodePackageInfo(two).length, 2);
  t.throws(() => decodePackageInfo('<Package id="{ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84}" size="x"/>'), { code: 'SMP_ERR_BAD_INPUT' });
  t.throws(() => decodePackageInfo('<Package id="{ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84}" size="1" version="1"><Source><Codebase url="x" type="FTP"/></Source></Package>'), { code: 'SMP_ERR_BAD_INPUT' });
  t.ok(isSmpError(captured(() => decodePackageInfo('<error code="x"/>'))));
});

function captured(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}
