import t from 'tap';
import { connectionTestUrlPath, decodeConnectionTestQuery, decodeUploadAnswer, encodeUploadAnswer, speedKbps } from '../../../shared/protocol/connection-test.js';
import { decodeExternalPackageRequest, encodeExternalPackageRequest } from '../../../shared/protocol/external-package.js';
import { decodeLicenseDetails, decodeLicenseQuery, encodeLicenseDetails } from '../../../shared/protocol/license-details.js';
import { decodeSiteServerQuery, decodeSiteServers, encodeSiteServers, siteServerUrlPath } from '../../../shared/protocol/site-servers.js';

const G = '8B031AC8-AB06-4460-998C-94837C9C4AE8';
const LIMITS = { maxFiles: 4, maxFileBytes: 1000, maxTotalBytes: 1500 };

t.test('ConnectionTest', async (t) => {
  t.equal(connectionTestUrlPath(), '/Altiris/NS/Agent/ConnectionTest.asp');
  t.same(decodeConnectionTestQuery({}, 100), { kind: 'ping' });
  t.same(decodeConnectionTestQuery({ Size: '64' }, 100), { kind: 'download', size: 64 });
  t.throws(() => decodeConnectionTestQuery({ size: '101' }, 100), { code: 'SMP_ERR_BAD_INPUT' });
  t.throws(() => decodeConnectionTestQuery({ size: '1e3' }, 10000), { code: 'SMP_ERR_BAD_INPUT' });
  t.equal(decodeUploadAnswer(encodeUploadAnswer(1234)), 1234);
  t.throws(() => decodeUploadAnswer('<connectionTest received="-1"/>'), { code: 'SMP_ERR_BAD_INPUT' });
  t.equal(speedKbps(125_000, 1000), 1000);
});

t.test('GetSiteServerInfo', async (t) => {
  const path = siteServerUrlPath({ resource: G, addresses: ['10.0.0.1', '::1'] });
  const q = Object.fromEntries(new URL(path, 'http://x').searchParams);
  t.same(decodeSiteServerQuery(q), { resource: G, addresses: ['10.0.0.1', '::1'] });
  t.throws(() => decodeSiteServerQuery({ resourceGuid: G, ip: 'nope' }), { code: 'SMP_ERR_BAD_INPUT' });
  t.throws(() => decodeSiteServerQuery({}), { code: 'SMP_ERR_BAD_GUID' });
  const servers = [
    { name: 'ps1', type: 'PackageServer' as const, urls: ['http://127.0.0.1:80'], local: true },
    { name: 'ns<1>', type: 'NotificationServer' as const, urls: ['http://127.0.0.1:80', 'https://127.0.0.1:443'], local: false },
  ];
  t.same(decodeSiteServers(encodeSiteServers(G, servers)), servers);
  t.throws(() => decodeSiteServers('<siteServers><siteServer type="Other"/></siteServers>'), { code: 'SMP_ERR_BAD_INPUT' });
});

t.test('GetLicenseDetails', async (t) => {
  t.equal(decodeLicenseQuery({ resourceguid: `{${G}}` }), G);
  const rows = [{ product: 'Symantec Management Agent', status: 'Licensed' as const, seats: 10, used: 3 }];
  t.same(decodeLicenseDetails(encodeLicenseDetails(G, rows)), { resource: G, licenses: rows });
  t.throws(() => decodeLicenseDetails(`<licenseDetails resource="{${G}}"><license status="Maybe"/></licenseDetails>`), { code: 'SMP_ERR_BAD_INPUT' });
});

t.test('CreateExternalPackage', async (t) => {
  const req = { guid: G, name: 'Tools', files: [{ name: 'setup.exe', size: 1000 }, { name: 'docs/a.txt', size: 5 }] };
  t.same(decodeExternalPackageRequest(encodeExternalPackageRequest(req), LIMITS), req);
  const bad: Array<[string, string]> = [
    ['<package name="x"/>', 'SMP_ERR_BAD_INPUT'],
    ['<package name="x"><file name="../a" size="1"/></package>', 'SMP_ERR_BAD_INPUT'],
    ['<package name="x"><file name="a" size="1001"/></package>', 'SMP_ERR_TOO_LARGE'],
    ['<package name="x"><file name="a" size="1000"/><file name="b" size="1000"/></package>', 'SMP_ERR_TOO_LARGE'],
    ['<package name="x"><file name="a" size="1"/><file name="A" size="1"/></package>', 'SMP_ERR_BAD_INPUT'],
    ['<package name="x" guid="nope"><file name="a" size="1"/></package>', 'SMP_ERR_BAD_GUID'],
    ['<package name=""><file name="a" size="1"/></package>', 'SMP_ERR_BAD_INPUT'],
  ];
  for (const [xml, code] of bad) t.throws(() => decodeExternalPackageRequest(xml, LIMITS), { code }, xml);
});
