// Table and fuzz tests of the tickle codec: the observed relay-wake prefix, round trips of every
// message type, partial input, HMAC, and random/mutated input giving a value or a typed error.
import t from 'tap';
import { isSmpError } from '../../../shared/errors.js';
import {
  Command, decodeTickleDatagram, encodeTickle, guidFromBytes, guidToBytes, TickleType, tryDecodeTickle,
  verifyTickleHmac, ZERO_GUID, type TickleMessage,
} from '../../../shared/protocol/tickle.js';

const GUID = '8B031AC8-AB06-4460-998C-94837C9C4AE8';

t.test('relay wake request keeps the observed prefix', async (t) => {
  const buf = encodeTickle({ type: TickleType.RELAY_WAKE, commands: 2, serverName: 'MHWIN2008NS', guid: GUID, mac: '00-0c-29-f5-22-32' });
  t.equal(buf.length, 75, 'same payload length as the capture (75 bytes)');
  t.same([...buf.subarray(0, 13)], [0x41, 0x65, 0x58, 0x31, 0x7e, 0x02, 0, 0, 0x02, 0, 0, 0, 0]);
  t.equal(buf.toString('latin1', 13, 25), 'MHWIN2008NS\0');
  t.equal(buf.toString('utf16le', 41), '00-0C-29-F5-22-32');
  const m = decodeTickleDatagram(buf);
  t.equal(m.mac, '00-0C-29-F5-22-32');
  t.equal(m.guid, GUID);
  t.equal(m.serverName, 'MHWIN2008NS');
});

t.test('guid byte order is .NET Guid.ToByteArray', async (t) => {
  const b = Buffer.alloc(16);
  guidToBytes(GUID, b, 0);
  t.equal(b.toString('hex'), 'c81a038b06ab6044998c94837c9c4ae8');
  t.equal(guidFromBytes(b, 0), GUID);
});

const cases: Array<[string, TickleMessage]> = [
  ['tickle config', { type: TickleType.TICKLE, commands: Command.REQUEST_CONFIGURATION, serverName: 'NS-LAB01', guid: ZERO_GUID }],
  ['tickle both', { type: TickleType.TICKLE, commands: 3, serverName: 'ns.lab.local', guid: GUID }],
  ['multicast list', { type: TickleType.MULTICAST, commands: 1, serverName: 'NS', guid: GUID, all: false,
    targets: { ips: ['127.1.0.1', '10.0.0.255'], guids: [GUID], macs: ['02AB00000001'] } }],
  ['multicast all', { type: TickleType.MULTICAST, commands: Command.WAKE | 2, serverName: 'NS', guid: GUID, all: true,
    targets: { ips: [], guids: [], macs: [] } }],
];

t.test('round trips', async (t) => {
  for (const [name, m] of cases) {
    const buf = encodeTickle(m);
    const d = decodeTickleDatagram(buf);
    t.match(d, { ...m, signed: false, length: buf.length }, name);
    // Every strict prefix is "incomplete", never an error and never a value.
    for (let i = 0; i < buf.length; i++) t.equal(tryDecodeTickle(buf.subarray(0, i)), null, `${name} prefix ${i}`);
  }
});

t.test('hmac extension', async (t) => {
  const key = Buffer.from('lab-secret');
  const buf = encodeTickle(cases[1]![1], { hmacKey: key });
  const d = decodeTickleDatagram(buf);
  t.ok(d.signed);
  t.ok(verifyTickleHmac(buf, d, key));
  t.notOk(verifyTickleHmac(buf, d, Buffer.from('other')));
  const forged = Buffer.from(buf);
  forged[8] = 1;
  t.notOk(verifyTickleHmac(forged, decodeTickleDatagram(forged), key));
});

t.test('rejects bad input with typed errors', async (t) => {
  const bad: Array<[string, Buffer]> = [
    ['magic', Buffer.from('XeX1\x70\x02\0\0')],
    ['type', Buffer.from('AeX1\x99\x02\0\0\x01\0\0\0\0NS\0', 'latin1')],
    ['flags', Buffer.from('AeX1\x70\x02\0\0\x01\0\0\0\x80NS\0', 'latin1')],
    ['empty name', Buffer.concat([Buffer.from('AeX1\x70\x02\0\0\x01\0\0\0\0\0', 'latin1'), Buffer.alloc(16)])],
    ['unterminated', Buffer.concat([Buffer.from('AeX1\x70\x02\0\0\x01\0\0\0\0', 'latin1'), Buffer.alloc(300, 0x41)])],
  ];
  for (const [name, buf] of bad) t.throws(() => tryDecodeTickle(buf), { name: 'SmpError' }, name);
  t.throws(() => decodeTickleDatagram(Buffer.concat([encodeTickle(cases[0]![1]), Buffer.from([0])])), { code: 'SMP_ERR_BAD_FRAME' });
  t.throws(() => encodeTickle({ ...cases[0]![1], serverName: 'bad name' }), { code: 'SMP_ERR_BAD_FRAME' });
  t.throws(() => encodeTickle({ ...cases[0]![1], commands: 0x100 }), { code: 'SMP_ERR_BAD_FRAME' });
  t.throws(() => encodeTickle({ ...cases[0]![1], guid: 'nope' }), { code: 'SMP_ERR_BAD_GUID' });
});

t.test('fuzz: random and mutated input gives a value, null or a typed error', async (t) => {
  let seed = 12345;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const seeds = cases.map(([, m]) => encodeTickle(m));
  let values = 0;
  let errors = 0;
  for (let i = 0; i < 5000; i++) {
    let buf: Buffer;
    if (i % 2 === 0) {
      buf = Buffer.from(seeds[rnd(seeds.length)]!);
      for (let k = rnd(4) + 1; k > 0; k--) buf[rnd(buf.length)] = rnd(256);
      if (rnd(4) === 0) buf = buf.subarray(0, rnd(buf.length + 1));
    } else {
      buf = Buffer.alloc(rnd(200));
      for (let k = 0; k < buf.length; k++) buf[k] = rnd(256);
      if (rnd(2) === 0 && buf.length >= 4) buf.write('AeX1', 0, 'latin1');
    }
    try {
      const v = tryDecodeTickle(buf);
      if (v !== null) {
        values += 1;
        if (v.length > buf.length) t.fail('decoded length past the input');
      }
    } catch (err) {
      if (!isSmpError(err)) t.fail(`untyped error ${String(err)}`);
      errors += 1;
    }
  }
  t.ok(values > 0 && errors > 0, `values ${values}, errors ${errors}`);
});
