import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCreateResourceResponse } from '../../../shared/protocol/create-resource.js';
import { agentKey } from '../../helpers/agent-key.js';
import { inventoryNse, register, XML } from '../../helpers/agent-requests.js';
import { startSmpLab } from '../../helpers/cli.js';
import { freePorts } from '../../helpers/free-port.js';
import { send, sendAdmin, startTestNs, testCert } from '../../helpers/ns.js';
import { FAST_QUEUE_THRESHOLD, LARGE_QUEUE_THRESHOLD, SLOW_QUEUE_THRESHOLD, queueFor } from '../../../server/ns/events/router.js';

t.test('queue routing uses the event router thresholds exactly', async (t) => {
  t.equal(queueFor(FAST_QUEUE_THRESHOLD - 1), 'fast');
  t.equal(queueFor(FAST_QUEUE_THRESHOLD), 'normal');
  t.equal(queueFor(SLOW_QUEUE_THRESHOLD - 1), 'normal');
  t.equal(queueFor(SLOW_QUEUE_THRESHOLD), 'slow');
  t.equal(queueFor(LARGE_QUEUE_THRESHOLD - 1), 'slow');
  t.equal(queueFor(LARGE_QUEUE_THRESHOLD), 'large');
  const lab = await startTestNs();
  t.teardown(() => lab.close());
  const G = '8B031AC8-AB06-4460-998C-94837C9C4AE8';
  const exact = (size: number): string => {
    const base = inventoryNse(G, 'SIZE');
    const pad = size - base.length - '<!---->'.length;
    return base.replace('<body>', `<!--${'p'.repeat(pad)}--><body>`);
  };
  for (const [size, folder] of [[FAST_QUEUE_THRESHOLD - 1, 'EvtQFast'], [FAST_QUEUE_THRESHOLD, 'EvtQueue'], [SLOW_QUEUE_THRESHOLD, 'EvtQSlow']] as const) {
    const body = exact(size);
    t.equal(Buffer.byteLength(body), size);
    const r = await send(lab.http, '/Altiris/NS/Agent/PostEvent.aspx', { headers: XML, body });
    t.match(r.text, new RegExp(`queue="${folder}" size="${size}"`), `${size} bytes -> ${folder}`);
  }
});

t.test('a killed NS keeps every registered resource and every acknowledged event', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smp-ns-kill-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, testCert().cert);
  writeFileSync(keyFile, testCert().key);
  const [httpPort, httpsPort] = await freePorts(2);
  const args = ['ns', '--port', `ns-agent-http=${httpPort}`, '--port', `ns-agent-https=${httpsPort}`, '--data', join(dir, 'ns'),
    '--cert', certFile, '--key', keyFile, '--log-level', 'warn'];
  const first = startSmpLab(args);
  t.teardown(() => { if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL'); });
  const ready = await first.line(/ns ready http=127\.0\.0\.1:(\d+) https=127\.0\.0\.1:(\d+)/);
  t.equal(Number(ready[1]), httpPort);
  const base = `http://127.0.0.1:${httpPort}`;
  const guids: string[] = [];
  for (let i = 0; i < 5; i += 1) guids.push(decodeCreateResourceResponse((await register(base, { name: `KEEP-${i}`, policyKey: agentKey().policyKey })).text).guid);
  const acked: number[] = [];
  await Promise.all(Array.from({ length: 120 }, async (_, i) => {
    const r = await send(base, '/Altiris/NS/Agent/PostEvent.aspx', { headers: XML, body: inventoryNse(guids[i % 5]!, `KEEP-${i % 5}`) });
    if (r.status === 200) acked.push(Number(/id="(\d+)"/.exec(r.text)![1]));
  }));
  t.equal(acked.length, 120, 'all events acknowledged');
  t.equal(await first.stop('SIGKILL'), null, 'killed without a chance to flush');

  const second = startSmpLab(args);
  t.teardown(() => { if (second.child.exitCode === null && second.child.signalCode === null) second.child.kill('SIGKILL'); });
  await second.line(/ns ready/);
  const res = JSON.parse((await sendAdmin(base, '/Altiris/Console/api/resources?limit=100')).text) as { total: number; resources: { guid: string }[] };
  t.same(res.resources.map((r) => r.guid).sort(), [...guids].sort(), 'resources survived');
  const ev = JSON.parse((await sendAdmin(base, '/Altiris/Console/api/events?limit=1000')).text) as { events: { id: number }[] };
  const stored = new Set(ev.events.map((e) => e.id));
  t.ok(acked.every((id) => stored.has(id)), `all ${acked.length} acknowledged events are on disk`);
  const https = await send(`https://127.0.0.1:${httpsPort}`, `/Altiris/NS/Agent/GetClientPolicies.aspx?WrkstaGuid=${guids[0]}`);
  t.equal(https.status, 200, 'restarted NS serves a known resource over HTTPS');
  t.equal(await second.stop('SIGINT'), 0, 'SIGINT stops cleanly with exit 0');
});
