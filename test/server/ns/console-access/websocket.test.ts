// The console's live feed WebSocket (/Altiris/Console/live, registered with @fastify/websocket) goes
// through the same guard: it refuses an unauthenticated upgrade with 401 before the feed takes it, accepts Basic credentials or a session cookie, and refuses a
// cookie-authenticated upgrade from another origin (cross-site WebSocket hijacking).
import t from 'tap';
import WebSocket from 'ws';
import { basicAuth } from '../../../helpers/console-credentials.js';
import { send, startTestNs } from '../../../helpers/ns.js';

/** Opens a raw `ws` client; resolves with the first message, or the HTTP status that refused the upgrade. */
function connect(url: string, headers: Record<string, string> = {}): Promise<{ status: number; message?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('message', (m: Buffer) => {
      resolve({ status: 101, message: (JSON.parse(m.toString()) as { type: string }).type });
      ws.close();
    });
    ws.once('error', (err) => reject(err));
  });
}

t.test('the live WebSocket needs credentials like every console route', async (t) => {
  const lab = await startTestNs({ store: 'memory' });
  t.teardown(() => lab.close());
  const url = `${lab.http.replace('http:', 'ws:')}/Altiris/Console/live`;
  t.same(await connect(url), { status: 401 }, 'anonymous upgrade: 401');
  t.same(await connect(url, { authorization: basicAuth('admin', 'nope') }), { status: 401 }, 'wrong password: 401');
  const feedClients = async () => (JSON.parse((await send(lab.http, '/Altiris/Console/api/live', { headers: { authorization: basicAuth() } })).text) as
    { clients: unknown[] }).clients.length;
  t.equal(await feedClients(), 0, 'the feed took no refused upgrade');
  t.same(await connect(url, { authorization: basicAuth() }), { status: 101, message: 'hello' }, 'Basic: open');

  const token = JSON.parse((await send(lab.http, '/Altiris/Console/api/tokens', { method: 'POST', headers: { authorization: basicAuth() } })).text)
    .token as string;
  t.same(await connect(url, { authorization: `Bearer ${token}` }), { status: 101, message: 'hello' }, 'bearer token: open');
  const forged = await connect(url, { cookie: 'smp_lab_session=eyJ4IjoxfQ.AAAA' });
  t.equal(forged.status, 401, 'forged cookie: 401');

  const page = await send(lab.http, '/Altiris/Console/login');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const login = [page.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('smp_lab_login='))?.split(';')[0] ?? '';
  const ok = await send(lab.http, '/Altiris/Console/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded',
    cookie: login }, body: new URLSearchParams({ user: 'admin', password: 'smp-lab-test-console', _csrf: csrf }).toString() });
  const session = [ok.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('smp_lab_session='))?.split(';')[0] ?? '';
  const host = new URL(lab.http).host;
  t.same(await connect(url, { cookie: session, origin: `http://${host}` }), { status: 101, message: 'hello' }, 'session cookie, same origin: open');
  t.same(await connect(url, { cookie: session, origin: 'http://evil.example' }), { status: 403 }, 'session cookie, other origin: 403');
});
