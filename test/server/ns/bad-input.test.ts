import t from 'tap';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { labCompress } from '../../../shared/protocol/lab-compression.js';
import { agentKey } from '../../helpers/agent-key.js';
import { inventoryNse, register, XML } from '../../helpers/agent-requests.js';
import { adminHeaders } from '../../helpers/console-credentials.js';
import { send, sendAdmin, startTestNs } from '../../helpers/ns.js';
import { decodeCreateResourceResponse } from '../../../shared/protocol/create-resource.js';

const G = '8B031AC8-AB06-4460-998C-94837C9C4AE8';

function logSink() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(...String(chunk).split('\n').filter(Boolean)); cb(); } });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** Raw socket exchange: writes, optionally half-closes, collects what the server sends until it closes. */
function raw(port: number, write: (s: Socket) => void, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' });
    let got = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`server kept the connection open for ${ms} ms; got ${got.slice(0, 200)}`)); }, ms);
    s.on('connect', () => write(s));
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('close', () => { clearTimeout(timer); resolve(got); });
    s.on('error', () => undefined);
  });
}

t.test('each bad input gets a 4xx with a reason, and the next good request is answered', async (t) => {
  const sink = logSink();
  const lab = await startTestNs({ logger: sink.logger, limits: { bodyLimit: 64 * 1024, eventBodyLimit: 256 * 1024 } });
  t.teardown(() => lab.close());
  const key = agentKey();
  const guid = decodeCreateResourceResponse((await register(lab.http, { name: 'GOOD', policyKey: key.policyKey })).text).guid;
  const good = async (base: string) => {
    const r = await send(base, `/Altiris/NS/Agent/GetClientPolicies.aspx?WrkstaGuid=${guid}`);
    t.equal(r.status, 200, 'next good request answered');
  };
  const cases: [string, string, { method?: string; headers?: Record<string, string>; body?: string | Buffer }, number, RegExp][] = [
    ['malformed XML', '/Altiris/NS/Agent/CreateResource.aspx', { headers: XML, body: '<resource name="x"' }, 400, /SMP_ERR_BAD_XML.*not well-formed/],
    ['oversized XML', '/Altiris/NS/Agent/CreateResource.aspx', { headers: XML, body: `<resource name="${'a'.repeat(70_000)}"/>` }, 413, /SMP_ERR_TOO_LARGE/],
    ['oversized event', '/Altiris/NS/Agent/PostEvent.aspx', { headers: XML, body: 'x'.repeat(300_000) }, 413, /SMP_ERR_TOO_LARGE/],
    ['DTD', '/Altiris/NS/Agent/PostEvent.aspx', { headers: XML, body: '<!DOCTYPE m [<!ENTITY a "aaaa">]><message><to>&a;</to><body/></message>' }, 400, /DTDs/],
    ['empty body', '/Altiris/NS/Agent/CreateResource.aspx', { method: 'POST', headers: XML, body: '' }, 400, /needs a request body/],
    ['missing parameters', '/Altiris/NS/Agent/GetClientPolicies.aspx', {}, 400, /SMP_ERR_MISSING_PARAMETER.*Xml or WrkstaGuid/],
    ['missing policyKey', '/Altiris/NS/Agent/CreateResource.aspx', { headers: XML, body: '<resource name="x"/>' }, 400, /policyKey is missing/],
    ['bad policyKey', '/Altiris/NS/Agent/CreateResource.aspx', { headers: XML, body: '<resource name="x" policyKey="AAAA"/>' }, 400, /SMP_ERR_CRYPTO/],
    ['unknown GUID', `/Altiris/NS/Agent/GetClientPolicies.aspx?WrkstaGuid={${G}}`, {}, 404, /SMP_ERR_UNKNOWN_RESOURCE.*not registered/],
    ['bad GUID', '/Altiris/NS/Agent/GetClientPolicies.aspx?WrkstaGuid=%7Bnope%7D', {}, 400, /SMP_ERR_BAD_GUID/],
    ['bad percent-encoding in the path', '/Altiris/NS/Agent/Get%ZZClientPolicies.aspx', {}, 400, /^<error code="SMP_ERR_BAD_INPUT" status="400">/],
    ['bad X-SMA-ID', '/Altiris/NS/Agent/CreateResource.aspx', { headers: { ...XML, 'x-sma-id': 'zzz' }, body: `<resource name="x" policyKey="${key.policyKey}"/>` }, 400, /X-SMA-ID/],
    ['bad UTF-8', '/Altiris/NS/Agent/PostEvent.aspx', { headers: XML, body: Buffer.from([0x3c, 0x6d, 0xff, 0xfe, 0x3e]) }, 400, /not valid UTF-8/],
    ['bad compression', '/Altiris/NS/Agent/PostEvent.aspx', { headers: { 'content-type': 'binary/octet-stream' }, body: Buffer.concat([Buffer.from('SLZ1\0\0\0\x10'), Buffer.from('nonsense')]) }, 400, /SMP_ERR_BAD_FRAME/],
    ['compression bomb', '/Altiris/NS/Agent/PostEvent.aspx', { headers: { 'content-type': 'binary/octet-stream' }, body: (() => { const b = labCompress('x'.repeat(1000)); b.writeUInt32BE(1 << 30, 4); return b; })() }, 413, /declares/],
    ['NSE without <to>', '/Altiris/NS/Agent/PostEvent.aspx', { headers: XML, body: '<message><body/></message>' }, 400, /no &lt;to&gt;/],
    ['wrong method', '/Altiris/NS/Agent/PostEvent.aspx', { method: 'GET' }, 404, /SMP_ERR_NOT_FOUND/],
    ['bad JSON to the API', '/Altiris/Console/api/resources/' + guid + '/state', { headers: adminHeaders({ 'content-type': 'application/json' }), body: '{nope' }, 400, /SMP_ERR_BAD_INPUT/],
  ];
  for (const base of [lab.http, lab.https]) {
    for (const [name, path, init, status, reason] of cases) {
      const r = await send(base, path, init);
      t.equal(r.status, status, `${name}: status`);
      t.match(r.text, reason, `${name}: reason in the body`);
    }
    await good(base);
  }
  t.ok(sink.lines.some((l) => /request refused/.test(l) && /SMP_ERR_BAD_XML/.test(l)), 'refusals are logged');
});

t.test('slow, half-closed and garbage-sending clients do not stop the server', async (t) => {
  const lab = await startTestNs({ limits: { requestTimeoutMs: 600, headersTimeoutMs: 400 } });
  t.teardown(() => lab.close());
  const port = Number(new URL(lab.http).port);
  const slow = await raw(port, (s) => s.write('POST /Altiris/NS/Agent/PostEvent.aspx HTTP/1.1\r\nHost: x\r\n'));
  t.match(slow, /^HTTP\/1.1 408/, 'headers never finished: 408 and closed');
  const slowBody = await raw(port, (s) => s.write('POST /Altiris/NS/Agent/PostEvent.aspx HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: 1000\r\n\r\n<message>'));
  t.match(slowBody, /408|^$/, 'body never finished: timed out and closed');
  const halfClosed = await raw(port, (s) => { s.write('POST /Altiris/NS/Agent/PostEvent.aspx HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n<mess'); s.end(); });
  t.notMatch(halfClosed, /^HTTP\/1.1 200/, 'a truncated request is not acknowledged');
  const body = inventoryNse(G, 'HALF');
  const fullThenFin = await raw(port, (s) => { s.write(`POST /Altiris/NS/Agent/PostEvent.aspx HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`); s.end(); });
  t.match(fullThenFin, /^HTTP\/1.1 200/, 'a complete request followed by FIN is still answered');
  const garbage = await raw(port, (s) => s.write(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))));
  t.match(garbage, /^HTTP\/1.1 400|^$/, 'garbage gets 400 or a close');
  const ok = await sendAdmin(lab.http, '/Altiris/Console/api/resources');
  t.equal(ok.status, 200, 'server still answers');
});

t.test('a full queue answers back-off with the NS HRESULT in the log', async (t) => {
  const sink = logSink();
  const lab = await startTestNs({ logger: sink.logger, events: { queueMax: 2, drainIntervalMs: 0 } });
  t.teardown(() => lab.close());
  const post = () => send(lab.http, '/Altiris/NS/Agent/PostEvent.aspx', { headers: { ...XML, 'user-agent': 'Altiris-Agent/7.6.1645' }, body: inventoryNse(G, 'Q') });
  t.equal((await post()).status, 200);
  t.equal((await post()).status, 200);
  const full = await post();
  t.equal(full.status, 503);
  t.equal(full.headers['retry-after'], '60');
  t.match(full.text, /SMP_ERR_BACK_OFF.*EvtQFast is full/);
  t.ok(sink.lines.some((l) => l.includes('0x80056007') && l.includes('127.0.0.1/HEAD/Altiris-Agent/7.6.1645')), 'log line has the HRESULT and IP/HEAD/version');
  const big = await send(lab.http, '/Altiris/NS/Agent/PostEvent.aspx', { headers: XML, body: inventoryNse(G, 'Q', 20_000) });
  t.equal(big.status, 200, 'other queues still accept');
});
