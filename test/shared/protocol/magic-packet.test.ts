// Table and fuzz tests of the magic-packet codec: the standard layout, SecureOn passwords, the sync
// stream at an offset, and random/mutated input giving a value or a typed error.
import t from 'tap';
import { isSmpError } from '../../../shared/errors.js';
import { decodeMagicPacket, encodeMagicPacket, MAGIC_LENGTH } from '../../../shared/protocol/magic-packet.js';

t.test('standard layout', async (t) => {
  const p = encodeMagicPacket('02:3c:00:00:00:2a');
  t.equal(p.length, MAGIC_LENGTH);
  t.equal(p.toString('hex', 0, 6), 'ffffffffffff');
  for (let i = 0; i < 16; i++) t.equal(p.toString('hex', 6 + i * 6, 12 + i * 6), '023c0000002a');
  t.same(decodeMagicPacket(p), { mac: '023C0000002A' });
});

t.test('password and offset', async (t) => {
  const pw = Buffer.from([1, 2, 3, 4, 5, 6]);
  t.same(decodeMagicPacket(encodeMagicPacket('02-3C-00-00-00-01', pw)).password, pw);
  const framed = Buffer.concat([Buffer.from([0, 1, 2]), encodeMagicPacket('023C00000001')]);
  t.equal(decodeMagicPacket(framed).mac, '023C00000001');
  t.throws(() => encodeMagicPacket('023C00000001', Buffer.alloc(5)), { code: 'SMP_ERR_BAD_INPUT' });
  t.throws(() => encodeMagicPacket('zz'), { code: 'SMP_ERR_BAD_INPUT' });
  t.throws(() => decodeMagicPacket(Buffer.alloc(10_000)), { code: 'SMP_ERR_TOO_LARGE' });
});

t.test('fuzz', async (t) => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const base = encodeMagicPacket('02AB00000007');
  for (let i = 0; i < 3000; i++) {
    const buf = Buffer.from(base.subarray(0, rnd(base.length + 1)));
    for (let k = rnd(3); k > 0 && buf.length > 0; k--) buf[rnd(buf.length)] = rnd(256);
    try {
      const v = decodeMagicPacket(buf);
      t.equal(v.mac.length, 12);
    } catch (err) {
      if (!isSmpError(err)) t.fail(String(err));
    }
  }
});
