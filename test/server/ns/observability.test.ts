import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessLog } from '../../../server/ns/observability/access-log.js';
import { parseW3cLog, W3C_FIELDS } from '../../../shared/protocol/w3c-log.js';
import { packageInfoUrlPath } from '../../../shared/protocol/package-info.js';
import { decodeCreateResourceResponse } from '../../../shared/protocol/create-resource.js';
import { LAB_PACKAGE_GUID } from '../../../server/ns/packages/library.js';
import { agentKey } from '../../helpers/agent-key.js';
import { inventoryNse, register, XML } from '../../helpers/agent-requests.js';
import { send, startTestNs } from '../../helpers/ns.js';
import { waitUntil } from '../../helpers/wait.js';

const OPTS = { packages: { installerSizes: { windows: 4096, unix: 1024 }, labPackages: { count: 1, payloadSize: 1024 } } };
const UA = 'Altiris Agent 7.6 (smp-lab test)';

function readLog(dir: string) {
  return readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => parseW3cLog(readFileSync(join(dir, f), 'utf8')));
}

t.test('access log lines parse with the declared #Fields and carry what IIS logs', async (t) => {
  const lab = await startTestNs(OPTS);
  t.teardown(() => lab.close());
  const dir = join(lab.dataDir, 'logs', 'W3SVC1');
  const port = Number(new URL(lab.http).port);
  const win = '/Altiris/NS/NSCap/Bin/Win32/X86/NS%20Client%20Package/AeXNSC.exe';
  await send(lab.http, win, { headers: { 'user-agent': UA, range: 'bytes=0-99' } });
  const infoPath = packageInfoUrlPath({ resource: LAB_PACKAGE_GUID, version: '1', type: 'codebases', compress: false, totalTime: 0, packages: [LAB_PACKAGE_GUID], addresses: [] });
  await send(lab.https, infoPath, { headers: { 'user-agent': UA } });
  await send(lab.http, `/Altiris/NS/Agent/GetPackageInfo.aspx?xml=${'a'.repeat(2100)}`);
  await send(lab.http, '/Altiris/NS/Agent/GetPackageInfo.aspx?xml=%3Cbroken');
  const records = await waitUntil(() => {
    const logs = readLog(dir);
    const recs = logs.flatMap((l) => l.records);
    return recs.length >= 4 ? recs : null;
  }, 'four access-log lines', 5000);
  const [log] = readLog(dir);
  t.equal(log!.directives['Fields'], W3C_FIELDS.join(' '));
  t.equal(log!.directives['Version'], '1.0');
  t.match(log!.directives['Date'], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  for (const r of records) {
    t.same(Object.keys(r), [...W3C_FIELDS], 'every declared field present');
    t.match(r['date'], /^\d{4}-\d\d-\d\d$/);
    t.match(r['time'], /^\d\d:\d\d:\d\d$/);
    t.equal(r['c-ip'], '127.0.0.1');
    t.match(r['time-taken'], /^\d+$/);
  }
  const [range, info, tooLong, broken] = records;
  t.same([range!['cs-method'], range!['cs-uri-stem'], range!['cs-uri-query'], range!['s-port'], range!['sc-status'], range!['cs(User-Agent)']],
    ['GET', win, '-', String(port), '206', UA.replace(/ /g, '+')]);
  t.ok(Number(range!['sc-bytes']) > 100 && Number(range!['sc-bytes']) < 600, 'sc-bytes counts headers and the 100-byte range');
  t.ok(Number(range!['cs-bytes']) > win.length, 'cs-bytes counts the request line and headers');
  t.equal(info!['s-port'], new URL(lab.https).port);
  t.equal(info!['cs-uri-query'], infoPath.split('?')[1]);
  t.same([tooLong!['sc-status'], tooLong!['sc-substatus']], ['404', '15'], 'query string over maxQueryString: 404.15');
  t.equal(broken!['sc-status'], '400');
});

t.test('the access log rolls daily (UTC) and writes the header in every file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smp-w3c-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const log = new AccessLog(dir, 'test');
  const entry = (at: Date) => ({ at, serverIp: '127.0.0.1', method: 'GET', uriStem: '/', uriQuery: '', serverPort: 80, username: '',
    clientIp: '127.0.0.1', userAgent: '', status: 200, substatus: 0, win32Status: 0, bytesSent: 1, bytesReceived: 1, timeTaken: 0 });
  log.write(entry(new Date(Date.UTC(2026, 0, 1, 23, 59, 59))));
  log.write(entry(new Date(Date.UTC(2026, 0, 2, 0, 0, 1))));
  log.write(entry(new Date(Date.UTC(2026, 0, 2, 0, 0, 2))));
  await log.close();
  t.same(readdirSync(dir).sort(), ['u_ex260101.log', 'u_ex260102.log']);
  const day2 = parseW3cLog(readFileSync(join(dir, 'u_ex260102.log'), 'utf8'));
  t.equal(day2.records.length, 2);
  t.equal(day2.directives['Date'], '2026-01-02 00:00:01');
  t.equal(parseW3cLog(readFileSync(join(dir, 'u_ex260101.log'), 'utf8')).records[0]!['time'], '23:59:59');
});

t.test('/metrics: requests by endpoint and status, latency histogram, registered agents, events stored', async (t) => {
  const lab = await startTestNs(OPTS);
  t.teardown(() => lab.close());
  const guid = decodeCreateResourceResponse((await register(lab.http, { name: 'WS-M', policyKey: agentKey().policyKey })).text).guid;
  const ev = await send(lab.http, '/Altiris/NS/Agent/PostEvent.aspx', { headers: XML, body: inventoryNse(guid, 'WS-M') });
  t.equal(ev.status, 200);
  await send(lab.http, '/Altiris/NS/Agent/GetPackageSnapshot.aspx?packageGuid=nope');
  const m = (await send(lab.https, '/metrics')).text;
  t.match(m, /smp_ns_http_requests_total\{endpoint="\/Altiris\/NS\/Agent\/CreateResource.aspx",status="200"\} 1/);
  t.match(m, /smp_ns_http_requests_total\{endpoint="\/Altiris\/NS\/Agent\/GetPackageSnapshot.aspx",status="400"\} 1/);
  t.match(m, /smp_ns_http_request_duration_seconds_bucket\{le="0.005",endpoint="\/Altiris\/NS\/Agent\/PostEvent.aspx"\} \d/);
  t.match(m, /\nsmp_ns_registered_agents 1\n/);
  t.match(m, /\nsmp_ns_events_stored 1\n/);
  t.notMatch(m, new RegExp(guid), 'no agent GUID in any label');
});
