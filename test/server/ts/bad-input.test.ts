// Bad input on every Task Server port (50124, 50123 on the NS, 50121/50122, HTTP): an error frame
// or a closed socket, a log line and a metric, while a well-behaved agent stays served.
import t from 'tap';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { decodeChannelMessage, encodeChannelMessage, CHANNEL_ERROR, MSG, TASK_CHANNEL } from '../../../shared/protocol/task-channel.js';
import { encodeFrame } from '../../../shared/protocol/frame.js';
import { decodeTickleMessage, TS_TICKLE, TICKLE_MSG } from '../../../shared/protocol/ts-tickle.js';
import { decodeRemotingMessage, encodeRemotingMessage, REMOTING_MSG, TS_REMOTING } from '../../../shared/protocol/ts-remoting.js';
import { send } from '../../helpers/ns.js';
import { rawPeer, type RawPeer } from '../../helpers/raw-frames.js';
import { startTaskLab } from '../../helpers/task-lab.js';
import { waitUntil } from '../../helpers/wait.js';

const lines: string[] = [];
const capture = pino({ level: 'warn' }, new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
const guid = (i: number): string => `11111111-0000-4000-8000-${i.toString().padStart(12, '0')}`;

async function helloPeer(port: number, i: number): Promise<RawPeer> {
  const p = await rawPeer(TASK_CHANNEL, port);
  p.write(encodeChannelMessage({ type: 'hello', guid: guid(i), name: `WS-${i}` }));
  await p.waitFrame(MSG.ACK);
  return p;
}

const errorCode = (p: RawPeer): number | undefined => {
  const f = p.frames.find((x) => x.type === MSG.ERROR);
  const m = f ? decodeChannelMessage(f) : undefined;
  return m?.type === 'error' ? m.code : undefined;
};

t.test('every bad input is refused, logged and counted; a good agent is not affected', async (t) => {
  const lab = await startTaskLab({ ts: { logger: capture, maxPendingHellos: 4, keepAliveMs: 250, maxClients: 50 } });
  t.teardown(() => lab.close());
  const port = lab.tsAddr.channel.port;
  const good = await helloPeer(port, 1);
  const beat = setInterval(() => good.write(encodeChannelMessage({ type: 'keepalive', seq: 1 })), 40);
  t.teardown(() => clearInterval(beat));
  const metric = async (reason: string): Promise<number> => {
    const m = await lab.ts.metrics.rejects.get();
    return m.values.filter((v) => v.labels['reason'] === reason).reduce((n, v) => n + v.value, 0);
  };

  const cases: [string, Buffer, number, string][] = [
    ['garbage (an HTTP request)', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), CHANNEL_ERROR.BAD_FRAME, 'bad_frame'],
    ['oversized frame', Buffer.from([0x54, 0x43, 1, 1, 0, 1, 0, 0]), CHANNEL_ERROR.FRAME_TOO_LARGE, 'frame_too_large'],
    ['future version', Buffer.from([0x54, 0x43, 7, 1, 0, 0, 0, 0]), CHANNEL_ERROR.UNSUPPORTED_VERSION, 'unsupported_version'],
    ['keep-alive before hello', encodeChannelMessage({ type: 'keepalive', seq: 1 }), CHANNEL_ERROR.HELLO_REQUIRED, 'no-hello'],
    ['unknown type after hello', Buffer.concat([encodeChannelMessage({ type: 'hello', guid: guid(2), name: '' }), encodeFrame(TASK_CHANNEL, 0x42)]),
      CHANNEL_ERROR.UNKNOWN_MESSAGE, 'unknown_message'],
    ['short hello', encodeFrame(TASK_CHANNEL, MSG.HELLO, Buffer.alloc(5)), CHANNEL_ERROR.BAD_FRAME, 'bad_frame'],
  ];
  for (const [name, bytes, code, reason] of cases) {
    const before = await metric(reason);
    const p = await rawPeer(TASK_CHANNEL, port);
    p.write(bytes);
    await p.waitClosed();
    t.equal(errorCode(p), code, `${name}: error frame`);
    t.ok((await metric(reason)) > before, `${name}: metric ${reason}`);
  }
  t.ok(lines.some((l) => l.includes('"reason":"bad_frame"')), 'a log line names the reason');

  // A flood of connections that never say hello: beyond maxPendingHellos they are refused.
  const flood = await Promise.all(Array.from({ length: 8 }, () => rawPeer(TASK_CHANNEL, port)));
  await waitUntil(() => flood.filter((p) => p.closed()).length >= 4, 'connections beyond the pending cap refused');
  t.ok(flood.some((p) => errorCode(p) === CHANNEL_ERROR.CAPACITY), 'refused with a capacity error frame');
  t.ok((await metric('flood')) >= 4, 'flood metric');
  await Promise.all(flood.map((p) => p.waitClosed(3000)));
  t.ok(flood.every((p) => p.closed()), 'silent pre-hello connections are dropped at the hello deadline');

  // A silent peer (hello, then nothing) is dropped by the keep-alive sweep.
  const silent = await helloPeer(port, 3);
  await silent.waitClosed(3000);
  t.equal(errorCode(silent), CHANNEL_ERROR.KEEPALIVE_TIMEOUT, 'silent peer told why and dropped');

  // The good agent kept its link through all of it (it keeps alive).
  t.notOk(good.closed(), 'good agent still connected');
  await waitUntil(() => good.frames.some((f) => f.type === MSG.KEEPALIVE), 'keep-alive echoed');
  good.socket.destroy();
});

t.test('50123 on the NS and 50121/50122 refuse garbage with an error frame', async (t) => {
  const lab = await startTaskLab();
  t.teardown(() => lab.close());
  const servers = (await lab.api<{ taskServers: { guid: string }[] }>('GET', '/task-servers')).json.taskServers;
  t.equal(servers.length, 1);
  // The NS tickle port is what RegisterTaskServer told the TS; read it back from the TS link.
  const reg = await send(lab.ns.http, '/Altiris/TaskManagement/ClientTask/RegisterTaskServer.aspx', {
    body: `<taskServers><taskServer guid="{${lab.ts.guid}}" name="x" url="${lab.tsUrl}" channelHost="127.0.0.1" channelPort="1" shares="1" clients="0" maxClients="1"/></taskServers>`,
  });
  const ticklePort = Number(/ticklePort="(\d+)"/.exec(reg.text)?.[1]);
  const tk = await rawPeer(TS_TICKLE, ticklePort);
  tk.write(Buffer.from('\x00\x01garbage'));
  await tk.waitClosed();
  const f = tk.frames.find((x) => x.type === TICKLE_MSG.ERROR);
  t.ok(f && decodeTickleMessage(f).type === 'error', '50123: error frame then close');

  for (const port of lab.tsAddr.remoting) {
    const ok = await rawPeer(TS_REMOTING, port);
    ok.write(encodeRemotingMessage({ type: 'query', what: 2 }));
    const reply = decodeRemotingMessage(await ok.waitFrame(REMOTING_MSG.REPLY));
    t.match(reply, { type: 'reply' }, `${port}: a status query is answered`);
    ok.socket.destroy();
    const bad = await rawPeer(TS_REMOTING, port);
    bad.write(encodeRemotingMessage({ type: 'query', what: 99 }));
    await bad.waitClosed();
    t.ok(bad.frames.some((x) => x.type === REMOTING_MSG.ERROR), `${port}: unknown query gets an error frame`);
  }
});

t.test('HTTP pages: the client cap, bad XML and oversized bodies', async (t) => {
  const lab = await startTaskLab({ ts: { maxClients: 2 } });
  t.teardown(() => lab.close());
  const reg = (i: number) => send(lab.tsUrl, `/Altiris/ClientTaskServer/Register.aspx?ResourceGuid=${guid(i)}`, { body: '<register name="x"/>' });
  t.equal((await reg(1)).status, 200);
  t.equal((await reg(2)).status, 200);
  const third = await reg(3);
  t.equal(third.status, 503, 'the third client is refused');
  t.match(third.text, /handler="Register".*maximum number of registered clients \(2\)/, 'the Register error names the limit');
  t.equal((await reg(1)).status, 200, 'a registered client may register again');
  const badXml = await send(lab.tsUrl, `/Altiris/ClientTaskServer/PostStatus.aspx?ResourceGuid=${guid(1)}`, { body: '<status state=' });
  t.equal(badXml.status, 400);
  t.match(badXml.text, /SMP_ERR_BAD_XML/);
  const big = await send(lab.tsUrl, `/altiris/clienttaskserver/poststatus.aspx?ResourceGuid=${guid(1)}`, {
    body: `<status>${'x'.repeat(300 * 1024)}</status>`, headers: { 'content-type': 'application/xml' },
  });
  t.equal(big.status, 413, 'oversized body refused (and paths are case-insensitive)');
  const unknown = await send(lab.tsUrl, `/Altiris/ClientTaskServer/GetTasks.aspx?ResourceGuid=${guid(9)}`);
  t.equal(unknown.status, 404, 'an unregistered client is told to register');
  const count = await send(lab.tsUrl, '/Altiris/ClientTaskServer/GetComputerCount.aspx');
  t.match(count.text, /registered="2".*max="2"/);
  const status = await send(lab.tsUrl, '/Altiris/ClientTaskServer/GetServerStatus.aspx');
  t.match(status.text, /nsLink="up"/);
});
