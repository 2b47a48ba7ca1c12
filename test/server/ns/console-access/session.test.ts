// The browser session and the API credentials over real sockets: login form (its CSRF token, wrong
// password, open-redirect guard), the signed session cookie and its flags, CSRF on state-changing
// requests, forged / expired / logged-out cookies, bearer tokens, and 429 after repeated failures.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClaimCodec } from '../../../../server/ns/console-access/claims.js';
import { basicAuth, TEST_CONSOLE_PASSWORD, TEST_CONSOLE_USER } from '../../../helpers/console-credentials.js';
import { send, startTestNs, type Reply } from '../../../helpers/ns.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };

function cookie(r: Reply, name: string): { value: string; attrs: string } | undefined {
  const all = [r.headers['set-cookie'] ?? []].flat();
  const line = all.find((c) => c.startsWith(`${name}=`));
  if (line === undefined) return undefined;
  const semi = line.indexOf(';');
  return { value: line.slice(name.length + 1, semi === -1 ? undefined : semi), attrs: semi === -1 ? '' : line.slice(semi) };
}

/** GET the login page: the pre-session cookie and the form's CSRF token. */
async function loginForm(base: string, path = '/Altiris/Console/login') {
  const page = await send(base, path, { headers: { accept: 'text/html' } });
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const returnTo = /name="return" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return { page, token, returnTo, cookie: `smp_lab_login=${cookie(page, 'smp_lab_login')?.value ?? ''}` };
}

async function logIn(base: string, fields: Record<string, string>, form?: Awaited<ReturnType<typeof loginForm>>) {
  const f = form ?? (await loginForm(base));
  const body = new URLSearchParams({ user: TEST_CONSOLE_USER, password: TEST_CONSOLE_PASSWORD, _csrf: f.token, ...fields }).toString();
  return send(base, '/Altiris/Console/login', { method: 'POST', headers: { ...FORM, cookie: f.cookie }, body });
}

t.test('browser: redirect, login form, session cookie, CSRF, forged/expired cookie, logout', async (t) => {
  const lab = await startTestNs({ store: 'memory' });
  t.teardown(() => lab.close());
  const nav = await send(lab.http, '/Altiris/Console/api/resources?limit=1', { headers: { accept: 'text/html' } });
  t.equal(nav.status, 302, 'an anonymous browser is redirected');
  t.equal(nav.headers.location, '/Altiris/Console/login?return=%2FAltiris%2FConsole%2Fapi%2Fresources%3Flimit%3D1');

  const form = await loginForm(lab.http, String(nav.headers.location));
  t.equal(form.page.status, 200);
  t.notMatch(form.page.text, /<script/i, 'the login page has no script');
  const csp = String(form.page.headers['content-security-policy']);
  t.match(csp, /script-src 'self'/);
  t.match(csp, /frame-ancestors 'none'/);
  t.match(csp, /connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
  t.notMatch(csp, /unsafe-inline/);
  t.equal(form.page.headers['x-frame-options'], 'DENY');
  t.equal(form.returnTo, '/Altiris/Console/api/resources?limit=1', 'the form keeps the return path');
  t.match(cookie(form.page, 'smp_lab_login')?.attrs ?? '', /HttpOnly/);

  const noToken = await logIn(lab.http, { _csrf: '' }, form);
  t.equal(noToken.status, 403, 'a login post without the form token: 403');
  const wrong = await logIn(lab.http, { password: 'nope', return: form.returnTo }, form);
  t.equal(wrong.status, 401, 'wrong password: 401');
  t.match(wrong.text, /Wrong user or password/);
  t.notOk(cookie(wrong, 'smp_lab_session'), 'no session on a wrong password');
  const ok = await logIn(lab.http, { return: form.returnTo }, form);
  t.equal(ok.status, 303);
  t.equal(ok.headers.location, form.returnTo, 'back where the browser was going');
  const session = cookie(ok, 'smp_lab_session');
  t.ok(session, 'a session cookie');
  t.match(session!.attrs, /HttpOnly/);
  t.match(session!.attrs, /SameSite=Strict/);
  t.match(session!.attrs, /Path=\/Altiris\/Console/);
  t.match(session!.attrs, /Expires=/);
  t.notMatch(session!.attrs, /Secure/, 'not Secure on plain HTTP');
  const jar = { cookie: `smp_lab_session=${session!.value}` };

  const me = await send(lab.http, '/Altiris/Console/api/session', { headers: jar });
  t.equal(me.status, 200);
  const { user, csrfToken } = JSON.parse(me.text) as { user: string; csrfToken: string };
  t.equal(user, TEST_CONSOLE_USER);
  t.match(csrfToken, /^[A-Za-z0-9_-]{20,}$/);
  t.equal((await send(lab.http, '/Altiris/Console/api/resources', { headers: jar })).status, 200, 'GET by cookie');

  const settings = (headers: Record<string, string>) => send(lab.http, '/Altiris/Console/api/task-servers/settings',
    { method: 'PUT', headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify({ maxClients: 5 }) });
  const noCsrf = await settings(jar);
  t.equal(noCsrf.status, 403, 'cookie without CSRF token: 403');
  t.equal(JSON.parse(noCsrf.text).error.code, 'SMP_ERR_FORBIDDEN');
  t.equal((await settings({ ...jar, 'x-csrf-token': `${csrfToken.slice(0, -1)}A` })).status, 403, 'wrong CSRF token: 403');
  t.equal((await settings({ ...jar, 'x-csrf-token': csrfToken })).status, 200, 'right CSRF token: done');
  t.equal((await settings({ authorization: basicAuth() })).status, 200, 'Basic needs no CSRF token');

  const sig = session!.value;
  const forged = `${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
  const bad = await send(lab.http, '/Altiris/Console/api/resources', { headers: { cookie: `smp_lab_session=${forged}` } });
  t.equal(bad.status, 401, 'forged cookie: 401');
  t.match(JSON.parse(bad.text).error.message, /not valid/);
  t.match(String(cookie(bad, 'smp_lab_session')?.attrs), /Expires=Thu, 01 Jan 1970/, 'and the cookie is cleared');
  const badPage = await send(lab.http, '/Altiris/Console/', { headers: { cookie: `smp_lab_session=${forged}`, accept: 'text/html' } });
  t.equal(badPage.status, 401, 'forged cookie in a browser: 401 with a link to log in');
  t.match(badPage.text, /href="\/Altiris\/Console\/login\?return=/);

  const codec = new ClaimCodec(Buffer.from(readFileSync(join(lab.dataDir, 'console-secret'), 'utf8').trim(), 'hex'));
  const gen = lab.ns.context.consoleAccess.account.generation;
  const old = codec.newClaim('session', TEST_CONSOLE_USER, gen, 1000, Date.now() - 10_000);
  const expired = await send(lab.http, '/Altiris/Console/api/resources',
    { headers: { cookie: `smp_lab_session=${encodeURIComponent(codec.signer.sign(codec.encode(old)))}` } });
  t.equal(expired.status, 401, 'expired (but well signed) cookie: 401');
  t.match(JSON.parse(expired.text).error.message, /expired/);

  t.equal((await send(lab.http, '/Altiris/Console/logout', { method: 'POST', headers: jar })).status, 403, 'logout needs the CSRF token');
  const out = await send(lab.http, '/Altiris/Console/logout', { method: 'POST', headers: { ...jar, 'x-csrf-token': csrfToken } });
  t.equal(out.status, 204);
  t.equal((await send(lab.http, '/Altiris/Console/api/resources', { headers: jar })).status, 401, 'a logged-out cookie: 401');

  const evil = await logIn(lab.http, { return: '//evil.example/x' });
  t.equal(evil.headers.location, '/Altiris/Console/', 'a return path off the console goes home instead');
  const lower = await logIn(lab.http, { return: '/altiris/console/api/policies' });
  t.equal(lower.headers.location, '/Altiris/Console/api/policies', 'the prefix in the case the cookie path has');
});

t.test('bearer tokens, the Secure flag on HTTPS, and agent pages without console headers', async (t) => {
  const lab = await startTestNs({ store: 'memory' });
  t.teardown(() => lab.close());
  const issued = await send(lab.http, '/Altiris/Console/api/tokens', { method: 'POST', headers: { authorization: basicAuth() } });
  t.equal(issued.status, 201);
  const { token, tokenType, expiresAt } = JSON.parse(issued.text) as { token: string; tokenType: string; expiresAt: string };
  t.equal(tokenType, 'Bearer');
  t.ok(Date.parse(expiresAt) > Date.now());
  const bearer = (tok: string) => send(lab.http, '/Altiris/Console/api/policies', { headers: { authorization: `Bearer ${tok}` } });
  t.equal((await bearer(token)).status, 200, 'the token opens the API');
  t.equal((await bearer(`${token}x`)).status, 401, 'a changed token: 401');
  t.equal((await send(lab.http, '/Altiris/Console/api/tasks', { method: 'POST', headers: { ...JSON_TYPE, authorization: `Bearer ${token}` },
    body: '{}' })).status, 400, 'bearer POST needs no CSRF token (the body is checked)');
  const session = await send(lab.http, '/Altiris/Console/api/session', { headers: { authorization: `Bearer ${token}` } });
  t.same(JSON.parse(session.text), { user: TEST_CONSOLE_USER, via: 'bearer', csrfToken: null, expiresAt: null });

  const ok = await logIn(lab.https, {});
  t.match(cookie(ok, 'smp_lab_session')?.attrs ?? '', /Secure/, 'Secure on HTTPS');
  const agent = await send(lab.http, '/Altiris/NS/Agent/GetClientPolicies.aspx');
  t.notOk(agent.headers['content-security-policy'], 'agent pages get no console headers');
});

t.test('repeated failures: 429 per client address for Basic, then for the login form too', async (t) => {
  const lab = await startTestNs({ store: 'memory', console: { maxFailures: 3 } });
  t.teardown(() => lab.close());
  const basic = (password: string) => send(lab.http, '/Altiris/Console/api/resources',
    { headers: { authorization: basicAuth(TEST_CONSOLE_USER, password) } });
  for (let i = 0; i < 3; i++) t.equal((await basic('guess')).status, 401, `failure ${i + 1}: 401`);
  const limited = await basic('guess');
  t.equal(limited.status, 429, 'then 429');
  t.ok(Number(limited.headers['retry-after']) > 0, 'with Retry-After');
  t.equal(JSON.parse(limited.text).error.code, 'SMP_ERR_RATE_LIMITED');
  t.equal((await basic(TEST_CONSOLE_PASSWORD)).status, 429, 'even the right password waits out the window');
  const form = await logIn(lab.http, {});
  t.equal(form.status, 429, 'the login form of the same address is limited too');
  t.notOk(cookie(form, 'smp_lab_session'), 'and gives no session');
});

t.test('the login route has its own request limit (@fastify/rate-limit)', async (t) => {
  const lab = await startTestNs({ store: 'memory', console: { maxLoginPosts: 2 } });
  t.teardown(() => lab.close());
  t.equal((await logIn(lab.http, { password: 'x' })).status, 401);
  t.equal((await logIn(lab.http, { password: 'y' })).status, 401);
  const third = await logIn(lab.http, {});
  t.equal(third.status, 429, 'the third post in the window: 429');
  t.equal(JSON.parse(third.text).error.code, 'SMP_ERR_RATE_LIMITED');
});
