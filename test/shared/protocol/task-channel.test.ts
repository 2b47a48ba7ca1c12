// Table tests for the smp-lab frame layer and the 50124 / 50123 / 50121 message codecs.
import t from 'tap';
import { isSmpError } from '../../../shared/errors.js';
import { encodeFrame, FrameReader, HEADER_SIZE } from '../../../shared/protocol/frame.js';
import {
  decodeChannelMessage, encodeChannelMessage, TASK_CHANNEL, type ChannelMessage,
} from '../../../shared/protocol/task-channel.js';
import { decodeTickleMessage, encodeTickleMessage, TS_TICKLE, type TickleMessage } from '../../../shared/protocol/ts-tickle.js';
import { decodeRemotingMessage, encodeRemotingMessage, TS_REMOTING } from '../../../shared/protocol/ts-remoting.js';
import { bytesToGuid, guidToBytes, normalizeGuid } from '../../../shared/protocol/guid-bytes.js';

const G = '8B031AC8-AB06-4460-998C-94837C9C4AE8';

t.test('guid bytes round-trip and reject bad text', async (t) => {
  t.equal(bytesToGuid(guidToBytes(`{${G.toLowerCase()}}`)), G);
  t.equal(normalizeGuid(G.toLowerCase()), G);
  t.equal(guidToBytes(G)[0], 0x8b, 'text order, not Windows mixed-endian');
  for (const bad of ['', 'xyz', G.slice(1), `${G}0`, G.replace(/-/g, '')]) t.throws(() => normalizeGuid(bad), { code: 'SMP_ERR_BAD_GUID' });
});

t.test('task channel messages round-trip', async (t) => {
  const table: ChannelMessage[] = [
    { type: 'hello', guid: G, name: 'WS-0042' },
    { type: 'hello', guid: G, name: '' },
    { type: 'keepalive', seq: 0 },
    { type: 'keepalive', seq: 0xffffffff },
    { type: 'work-waiting', seq: 7, taskVersion: 42 },
    { type: 'ack', acked: 3, value: 7 },
    { type: 'error', code: 6, reason: 'task server holds its maximum of 5000 clients' },
  ];
  for (const m of table) {
    const bytes = encodeChannelMessage(m);
    const frames = new FrameReader(TASK_CHANNEL).push(bytes);
    t.equal(frames.length, 1);
    t.same(decodeChannelMessage(frames[0]!), m, m.type);
  }
});

t.test('reader joins split frames and splits joined ones', async (t) => {
  const a = encodeChannelMessage({ type: 'hello', guid: G, name: 'A' });
  const b = encodeChannelMessage({ type: 'keepalive', seq: 5 });
  const all = Buffer.concat([a, b, a]);
  const r = new FrameReader(TASK_CHANNEL);
  const got = [];
  for (let i = 0; i < all.length; i++) got.push(...r.push(all.subarray(i, i + 1)));
  t.equal(got.length, 3);
  t.equal(r.buffered, 0);
  t.same(decodeChannelMessage(got[1]!), { type: 'keepalive', seq: 5 });
  t.equal(new FrameReader(TASK_CHANNEL).push(all).length, 3);
});

t.test('bad input gives typed errors', async (t) => {
  const cases: [string, Buffer, string][] = [
    ['bad magic', Buffer.from('GET / HTTP/1.1\r\n'), 'SMP_ERR_BAD_FRAME'],
    ['bad magic, one byte', Buffer.from('G'), 'SMP_ERR_BAD_FRAME'],
    ['other channel magic', encodeTickleMessage({ type: 'keepalive', seq: 1 }), 'SMP_ERR_BAD_FRAME'],
    ['future version', Buffer.from([0x54, 0x43, 9, 1, 0, 0, 0, 0]), 'SMP_ERR_UNSUPPORTED_VERSION'],
    ['future version, partial header', Buffer.from([0x54, 0x43, 9]), 'SMP_ERR_UNSUPPORTED_VERSION'],
    ['oversized length', Buffer.from([0x54, 0x43, 1, 1, 0xff, 0xff, 0xff, 0xff]), 'SMP_ERR_FRAME_TOO_LARGE'],
    ['just over the bound', Buffer.from([0x54, 0x43, 1, 1, 0, 0, 1, 1]), 'SMP_ERR_FRAME_TOO_LARGE'],
  ];
  for (const [name, bytes, code] of cases) {
    t.throws(() => new FrameReader(TASK_CHANNEL).push(bytes), { code }, name);
  }
  const decode = (type: number, payload: Buffer) => decodeChannelMessage({ type, payload });
  t.throws(() => decode(0x77, Buffer.alloc(0)), { code: 'SMP_ERR_UNKNOWN_MESSAGE' }, 'unknown type');
  t.throws(() => decode(0x01, Buffer.alloc(10)), { code: 'SMP_ERR_BAD_FRAME' }, 'short hello');
  t.throws(() => decode(0x01, Buffer.alloc(16 + 65)), { code: 'SMP_ERR_BAD_FRAME' }, 'long name');
  t.throws(() => decode(0x02, Buffer.alloc(5)), { code: 'SMP_ERR_BAD_FRAME' }, 'trailing bytes');
  t.throws(() => encodeFrame(TASK_CHANNEL, 1, Buffer.alloc(TASK_CHANNEL.maxPayload + 1)), { code: 'SMP_ERR_FRAME_TOO_LARGE' });
});

t.test('error reasons are cut on a character boundary', async (t) => {
  const m = decodeChannelMessage(new FrameReader(TASK_CHANNEL).push(encodeChannelMessage({ type: 'error', code: 1, reason: 'é'.repeat(150) }))[0]!);
  t.equal(m.type, 'error');
  if (m.type === 'error') t.equal(m.reason, 'é'.repeat(100));
});

t.test('ts tickle messages round-trip and stay bounded', async (t) => {
  const many = Array.from({ length: 4000 }, (_, i) => `00000000-0000-0000-0000-${i.toString(16).padStart(12, '0')}`.toUpperCase());
  const table: TickleMessage[] = [
    { type: 'hello', guid: G, name: 'ts1.lab.local' },
    { type: 'keepalive', seq: 1 },
    { type: 'tickle', taskVersion: 3, agents: [] },
    { type: 'tickle', taskVersion: 4, agents: [G] },
    { type: 'tickle', taskVersion: 5, agents: many },
    { type: 'settings', settings: { maxClients: '8000', keepAliveMs: '30000' } },
    { type: 'settings', settings: {} },
    { type: 'ack', acked: 3, value: 5 },
    { type: 'error', code: 4, reason: 'no' },
  ];
  for (const m of table) {
    const frames = new FrameReader(TS_TICKLE).push(encodeTickleMessage(m));
    t.same(decodeTickleMessage(frames[0]!), m, m.type);
  }
  t.throws(() => encodeTickleMessage({ type: 'tickle', taskVersion: 1, agents: [...many, G] }), { code: 'SMP_ERR_FRAME_TOO_LARGE' });
  t.throws(() => encodeTickleMessage({ type: 'settings', settings: { 'bad key': 'x' } }), { code: 'SMP_ERR_BAD_INPUT' });
  const lying = Buffer.from([0, 0, 0, 1, 0, 2, ...guidToBytes(G)]);
  t.throws(() => decodeTickleMessage({ type: 3, payload: lying }), { code: 'SMP_ERR_BAD_FRAME' }, 'count larger than payload');
  t.throws(() => decodeTickleMessage({ type: 6, payload: Buffer.from('=x') }), { code: 'SMP_ERR_BAD_FRAME' }, 'bad settings line');
});

t.test('ts remoting messages round-trip', async (t) => {
  for (const m of [{ type: 'query', what: 1 }, { type: 'reply', json: '{"clients":3}' }, { type: 'error', code: 4, reason: 'x' }] as const) {
    t.same(decodeRemotingMessage(new FrameReader(TS_REMOTING).push(encodeRemotingMessage(m))[0]!), m);
  }
  t.ok(HEADER_SIZE === 8);
  try {
    decodeRemotingMessage({ type: 9, payload: Buffer.alloc(0) });
    t.fail('no error');
  } catch (err) {
    t.ok(isSmpError(err, 'UNKNOWN_MESSAGE'));
  }
});
