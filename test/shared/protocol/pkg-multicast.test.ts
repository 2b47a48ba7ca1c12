// Table and fuzz tests of the package multicast codec (smp-lab v1): the documented byte layout, round
// trips of the three kinds, every refusal as a typed error, and random/mutated datagrams giving a
// value or a typed SmpError, never a crash.
import t from 'tap';
import { isSmpError } from '../../../shared/errors.js';
import {
  blockCount, decodePkgMulticast, encodePkgMulticast, isPkgMulticast, MAX_BLOCK_SIZE, MAX_PKG_DATAGRAM, PkgKind, type PkgMessage,
} from '../../../shared/protocol/pkg-multicast.js';

const GUID = '8B031AC8-AB06-4460-998C-94837C9C4AE8';

t.test('documented layout of an announce', async (t) => {
  const b = encodePkgMulticast({ kind: PkgKind.ANNOUNCE, packageGuid: GUID, version: 7, size: 150_123, blockSize: 8192, rank: 4242, master: 'WS-1A2B-000001' });
  t.equal(b.toString('ascii', 0, 4), 'AeXM');
  t.equal(b[4], 1, 'version');
  t.equal(b[5], 1, 'kind announce');
  t.equal(b.toString('hex', 6, 22), 'c81a038b06ab6044998c94837c9c4ae8', '.NET GUID order');
  t.equal(b.readUInt32LE(22), 7);
  t.equal(Number(b.readBigUInt64LE(26)), 150_123);
  t.equal(b.readUInt32LE(34), 8192);
  t.equal(b.readUInt32LE(38), 4242);
  t.equal(b.readUInt16LE(42), 14);
  t.equal(b.toString('latin1', 44), 'WS-1A2B-000001');
  t.equal(b.length, 26 + 18 + 14);
});

t.test('data and done layout', async (t) => {
  const d = encodePkgMulticast({ kind: PkgKind.DATA, packageGuid: GUID, version: 1, block: 3, bytes: Buffer.from('abc') });
  t.same([...d.subarray(0, 6)], [0x41, 0x65, 0x58, 0x4d, 1, 2]);
  t.equal(d.readUInt32LE(26), 3);
  t.equal(d.toString('latin1', 30), 'abc');
  const done = encodePkgMulticast({ kind: PkgKind.DONE, packageGuid: GUID, version: 1 });
  t.equal(done.length, 26);
  t.equal(done[5], 3);
  t.ok(isPkgMulticast(done));
  t.notOk(isPkgMulticast(Buffer.from('AeX1')));
});

const cases: Array<[string, PkgMessage]> = [
  ['announce', { kind: PkgKind.ANNOUNCE, packageGuid: GUID, version: 0, size: 0, blockSize: 1, rank: 0, master: 'A' }],
  ['announce max', { kind: PkgKind.ANNOUNCE, packageGuid: GUID, version: 0xffffffff, size: Number.MAX_SAFE_INTEGER, blockSize: MAX_BLOCK_SIZE,
    rank: 0xffffffff, master: 'N'.repeat(255) }],
  ['data one byte', { kind: PkgKind.DATA, packageGuid: GUID, version: 2, block: 0, bytes: Buffer.from([9]) }],
  ['data full block', { kind: PkgKind.DATA, packageGuid: GUID, version: 2, block: 0xffffffff, bytes: Buffer.alloc(MAX_BLOCK_SIZE, 7) }],
  ['done', { kind: PkgKind.DONE, packageGuid: GUID, version: 5 }],
];

t.test('round trips', async (t) => {
  for (const [name, m] of cases) {
    const b = encodePkgMulticast(m);
    t.ok(b.length <= MAX_PKG_DATAGRAM, `${name}: within one datagram`);
    t.same(decodePkgMulticast(b), m, name);
  }
  t.equal(blockCount(150_123, 8192), 19);
  t.equal(blockCount(0, 8192), 0);
});

t.test('encoder refuses what v1 cannot carry', async (t) => {
  const a = { kind: PkgKind.ANNOUNCE, packageGuid: GUID, version: 1, size: 10, blockSize: 8, rank: 1, master: 'M' } as const;
  t.throws(() => encodePkgMulticast({ ...a, blockSize: MAX_BLOCK_SIZE + 1 }), { code: 'SMP_ERR_BAD_INPUT' });
  t.throws(() => encodePkgMulticast({ ...a, blockSize: 0 }), { code: 'SMP_ERR_BAD_INPUT' });
  t.throws(() => encodePkgMulticast({ ...a, size: -1 }), { code: 'SMP_ERR_BAD_INPUT' });
  t.throws(() => encodePkgMulticast({ ...a, rank: 2 ** 32 }), { code: 'SMP_ERR_BAD_INPUT' });
  t.throws(() => encodePkgMulticast({ ...a, master: 'has space' }), { code: 'SMP_ERR_BAD_INPUT' });
  t.throws(() => encodePkgMulticast({ ...a, master: '' }), { code: 'SMP_ERR_BAD_INPUT' });
  t.throws(() => encodePkgMulticast({ ...a, version: -1 }), { code: 'SMP_ERR_BAD_INPUT' });
  t.throws(() => encodePkgMulticast({ ...a, packageGuid: 'nope' }), { code: 'SMP_ERR_BAD_GUID' });
  t.throws(() => encodePkgMulticast({ kind: PkgKind.DATA, packageGuid: GUID, version: 1, block: 0, bytes: Buffer.alloc(0) }), { code: 'SMP_ERR_BAD_INPUT' });
  t.throws(() => encodePkgMulticast({ kind: PkgKind.DATA, packageGuid: GUID, version: 1, block: 0, bytes: Buffer.alloc(MAX_BLOCK_SIZE + 1) }), { code: 'SMP_ERR_BAD_INPUT' });
});

t.test('decoder refusals are typed', async (t) => {
  const done = encodePkgMulticast({ kind: PkgKind.DONE, packageGuid: GUID, version: 1 });
  const ann = encodePkgMulticast({ kind: PkgKind.ANNOUNCE, packageGuid: GUID, version: 1, size: 10, blockSize: 8, rank: 1, master: 'MM' });
  const mut = (b: Buffer, f: (c: Buffer) => void): Buffer => { const c = Buffer.from(b); f(c); return c; };
  const table: Array<[string, Buffer, string]> = [
    ['short', done.subarray(0, 25), 'SMP_ERR_BAD_FRAME'],
    ['too large', Buffer.alloc(MAX_PKG_DATAGRAM + 1), 'SMP_ERR_TOO_LARGE'],
    ['magic', mut(done, (c) => { c[3] = 0x31; }), 'SMP_ERR_BAD_FRAME'],
    ['version', mut(done, (c) => { c[4] = 2; }), 'SMP_ERR_UNSUPPORTED_VERSION'],
    ['kind', mut(done, (c) => { c[5] = 9; }), 'SMP_ERR_UNKNOWN_MESSAGE'],
    ['done with body', Buffer.concat([done, Buffer.from([0])]), 'SMP_ERR_BAD_FRAME'],
    ['data without bytes', mut(Buffer.concat([done, Buffer.alloc(4)]), (c) => { c[5] = 2; }), 'SMP_ERR_BAD_FRAME'],
    ['announce truncated', ann.subarray(0, ann.length - 1), 'SMP_ERR_BAD_FRAME'],
    ['announce trailing', Buffer.concat([ann, Buffer.from('x')]), 'SMP_ERR_BAD_FRAME'],
    ['announce block size 0', mut(ann, (c) => c.writeUInt32LE(0, 34)), 'SMP_ERR_BAD_FRAME'],
    ['announce block size too big', mut(ann, (c) => c.writeUInt32LE(MAX_BLOCK_SIZE + 1, 34)), 'SMP_ERR_BAD_FRAME'],
    ['announce size past 2^53', mut(ann, (c) => c.writeBigUInt64LE(2n ** 60n, 26)), 'SMP_ERR_BAD_FRAME'],
    ['announce name control byte', mut(ann, (c) => { c[44] = 0x0a; }), 'SMP_ERR_BAD_FRAME'],
    ['announce name length 0', mut(ann, (c) => c.writeUInt16LE(0, 42)), 'SMP_ERR_BAD_FRAME'],
  ];
  for (const [name, buf, code] of table) t.throws(() => decodePkgMulticast(buf), { code }, name);
});

t.test('fuzz: random and mutated datagrams give a value or a typed error', async (t) => {
  let seed = 52030;
  const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const bases = cases.map(([, m]) => encodePkgMulticast(m)).filter((b) => b.length < 4096);
  let values = 0;
  for (let i = 0; i < 5000; i++) {
    let buf: Buffer;
    if (i % 4 === 0) buf = Buffer.from(Array.from({ length: rnd(80) }, () => rnd(256)));
    else {
      const base = bases[rnd(bases.length)]!;
      buf = Buffer.from(base.subarray(0, i % 4 === 1 ? rnd(base.length + 1) : base.length));
      for (let k = 1 + rnd(3); k > 0 && buf.length > 0; k--) buf[rnd(buf.length)] = rnd(256);
      if (i % 7 === 0) buf = Buffer.concat([buf, Buffer.alloc(rnd(40), rnd(256))]);
    }
    try {
      const v = decodePkgMulticast(buf);
      values += 1;
      const wellFormed = v.kind >= 1 && v.kind <= 3 && /^[0-9A-F-]{36}$/.test(v.packageGuid)
        && (v.kind !== PkgKind.DATA || (v.bytes.length >= 1 && v.bytes.length <= MAX_BLOCK_SIZE));
      if (!wellFormed) t.fail(`ill-formed value from ${buf.toString('hex')}`);
    } catch (err) {
      if (!isSmpError(err)) t.fail(`untyped error: ${String(err)}`);
    }
  }
  t.ok(values > 100, `mutations still decode sometimes (${values})`);
});
