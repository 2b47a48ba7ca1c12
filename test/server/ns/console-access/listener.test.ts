// --console-port: the console and its API on their own listener (HTTPS when the NS has a certificate,
// HTTP otherwise). The agent listeners then answer 404 under /Altiris/Console, the console listener 404
// for agent pages; listen() reports the console address; WebSocket upgrades reach the console there.
import t from 'tap';
import WebSocket from 'ws';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNotificationServer } from '../../../../server/ns/server.js';
import { basicAuth, TEST_CONSOLE_PASSWORD } from '../../../helpers/console-credentials.js';
import { send, sendAdmin, startTestNs, testCert } from '../../../helpers/ns.js';

t.test('a separate HTTPS console listener', async (t) => {
  const lab = await startTestNs({ store: 'memory', console: { port: 0, bind: '127.0.0.1' } });
  t.teardown(() => lab.close());
  const c = lab.ns.addresses().console;
  t.ok(c, 'listen() reports the console listener');
  t.equal(c!.scheme, 'https', 'HTTPS, as the NS has a certificate');
  t.equal(c!.address, '127.0.0.1');
  const consoleBase = `https://127.0.0.1:${c!.port}`;
  t.not(c!.port, Number(new URL(lab.http).port));

  for (const base of [lab.http, lab.https]) {
    const api = await sendAdmin(base, '/Altiris/Console/api/resources');
    t.equal(api.status, 404, `${base}: the agent listener has no console`);
    t.match(api.text, /SMP_ERR_NOT_FOUND/);
    t.equal((await send(base, '/Altiris/Console/login')).status, 404, `${base}: no login page either`);
    t.equal((await send(base, '/Altiris/NS/Agent/GetClientPolicies.aspx')).status, 400, `${base}: agent pages as before`);
  }
  t.equal((await sendAdmin(consoleBase, '/Altiris/Console/api/resources')).status, 200, 'the console listener serves the API');
  t.equal((await send(consoleBase, '/Altiris/Console/api/resources')).status, 401, 'with the same access control');
  t.equal((await send(consoleBase, '/Altiris/Console/login')).status, 200, 'and the login page');
  t.equal((await send(consoleBase, '/Altiris/NS/Agent/GetClientPolicies.aspx')).status, 404, 'but no agent pages');

  const ws = (url: string) => new Promise<number | string>((resolve, reject) => {
    const opts = { headers: { authorization: basicAuth() }, ca: testCert().cert, servername: 'localhost' };
    const sock = new WebSocket(url, opts as WebSocket.ClientOptions);
    sock.once('unexpected-response', (_q, res) => { resolve(res.statusCode ?? 0); res.resume(); sock.terminate(); });
    sock.once('message', (m: Buffer) => { resolve((JSON.parse(m.toString()) as { type: string }).type); sock.close(); });
    sock.once('error', reject);
  });
  t.equal(await ws(`wss://127.0.0.1:${c!.port}/Altiris/Console/live`), 'hello', 'the live WebSocket on the console listener');
  t.equal(await ws(`${lab.http.replace('http:', 'ws:')}/Altiris/Console/live`), 404, 'not on the agent listener');
});

t.test('an NS without a certificate serves its console listener over HTTP; by default there is none', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smp-ns-plain-'));
  const plain = await createNotificationServer({ httpPort: 0, store: 'memory', dataDir: dir,
    console: { port: 0, password: TEST_CONSOLE_PASSWORD } });
  t.teardown(async () => { await plain.close(); rmSync(dir, { recursive: true, force: true }); });
  const c = (await plain.listen()).console;
  t.equal(c?.scheme, 'http');
  t.equal((await sendAdmin(`http://127.0.0.1:${c!.port}`, '/Altiris/Console/api/policies')).status, 200);
  const shared = await startTestNs({ store: 'memory' });
  t.teardown(() => shared.close());
  t.equal(shared.ns.addresses().console, null, 'default: the console shares the agent listeners');
  t.equal((await sendAdmin(shared.http, '/Altiris/Console/api/policies')).status, 200);
});
