// Every route under /Altiris/Console, enumerated from the running app (so a route added later is
// covered without editing this test), refuses anonymous and wrong credentials with 401 and accepts the
// right ones; every other route (agent pages, NSCap, package shares, TaskManagement) stays anonymous.
// curl checks a sample of both as a standard client.
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { basicAuth, TEST_CONSOLE_PASSWORD, TEST_CONSOLE_USER } from '../../../helpers/console-credentials.js';
import { send, startTestNs } from '../../../helpers/ns.js';

const run = promisify(execFile);
const GUID = '11111111-2222-4333-8444-555555555555';
const OPEN = new Set(['/Altiris/Console/login', '/Altiris/Console/login.css']);
const concrete = (url: string): string => url.replace(/:[A-Za-z]+/g, GUID).replace(/\*/g, 'x');
const isConsole = (url: string): boolean => url === '/Altiris/Console' || url.startsWith('/Altiris/Console/');

t.test('every console route needs credentials; every agent route stays anonymous', async (t) => {
  const lab = await startTestNs({ store: 'memory', console: { maxFailures: 100_000 } });
  t.teardown(() => lab.close());
  const routes = lab.ns.routes();
  const admin = routes.filter((r) => isConsole(r.url) && !OPEN.has(r.url));
  const agent = routes.filter((r) => !isConsole(r.url));
  t.ok(admin.length >= 15, `${admin.length} console routes found`);
  t.ok(agent.some((r) => r.url.startsWith('/Altiris/NS/Agent/')) && agent.some((r) => r.url.startsWith('/Altiris/TaskManagement/')),
    'agent and task-management routes found');
  for (const r of admin) {
    const path = concrete(r.url);
    const body = r.method === 'GET' || r.method === 'HEAD' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } };
    const anon = await send(lab.http, path, { method: r.method, ...body });
    t.equal(anon.status, 401, `${r.method} ${r.url} anonymous: 401`);
    t.match(String(anon.headers['www-authenticate']), /^Basic realm=/, `${r.method} ${r.url} anonymous: a Basic challenge`);
    if (r.method !== 'HEAD') t.equal(JSON.parse(anon.text).error.code, 'SMP_ERR_AUTH', `${r.method} ${r.url}: the API's JSON error`);
    const wrong = await send(lab.http, path, { method: r.method, ...body,
      headers: { ...body.headers, authorization: basicAuth(TEST_CONSOLE_USER, 'not-the-password') } });
    t.equal(wrong.status, 401, `${r.method} ${r.url} wrong password: 401`);
    const otherUser = await send(lab.http, path, { method: r.method, ...body,
      headers: { ...body.headers, authorization: basicAuth('root', TEST_CONSOLE_PASSWORD) } });
    t.equal(otherUser.status, 401, `${r.method} ${r.url} wrong user: 401`);
    const right = await send(lab.http, path, { method: r.method, ...body, headers: { ...body.headers, authorization: basicAuth() } });
    t.notOk([401, 403, 429].includes(right.status), `${r.method} ${r.url} with credentials: ${right.status}`);
  }
  for (const r of agent) {
    const a = await send(lab.http, concrete(r.url), { method: r.method });
    const toLogin = String(a.headers.location ?? '').includes('/Altiris/Console/login');
    t.notOk(a.status === 401 || toLogin || a.headers['www-authenticate'] !== undefined,
      `${r.method} ${r.url} stays anonymous (${a.status})`);
  }
});

t.test('curl: the admin API needs -u, the agent pages do not', async (t) => {
  const lab = await startTestNs({ store: 'memory' });
  t.teardown(() => lab.close());
  const code = async (...args: string[]) => (await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', ...args])).stdout;
  t.equal(await code(`${lab.http}/Altiris/Console/api/resources`), '401', 'anonymous curl: 401');
  t.equal(await code('-u', `${TEST_CONSOLE_USER}:nope`, `${lab.http}/Altiris/Console/api/policies`), '401', 'wrong password: 401');
  const ok = await run('curl', ['-sS', '--fail-with-body', '-u', `${TEST_CONSOLE_USER}:${TEST_CONSOLE_PASSWORD}`,
    `${lab.http}/Altiris/Console/api/policies`]);
  t.equal((JSON.parse(ok.stdout) as { policies: unknown[] }).policies.length, 4, 'curl -u lists the policies');
  t.equal(await code('-X', 'POST', '-H', 'content-type: application/json', '--data', '{"ips":["127.1.0.1"]}',
    `${lab.http}/Altiris/Console/api/tickle`), '401', 'anonymous tickle: 401');
  t.equal(await code(`${lab.http}/Altiris/NS/Agent/GetClientPolicies.aspx`), '400', 'agent page: its own answer, no login');
  t.not(await code(`${lab.http}/Altiris/TaskManagement/ClientTask/GetTaskVersion.aspx`), '401', 'TaskManagement page: anonymous');
  t.equal(await code(`${lab.http}/altiris/console/API/resources`), '401', 'any case of the prefix is guarded');
  t.equal(await code(`${lab.http}/Altiris/%43onsole/api/resources`), '401', 'a percent-encoded prefix is guarded');
  t.equal(await code(`${lab.http}/Altiris/Console/no-such-page`), '401', 'unknown console paths are guarded (no route probing)');
});
