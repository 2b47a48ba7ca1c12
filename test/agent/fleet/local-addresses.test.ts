// The check that a fleet's addresses are local: LOCAL routes read from a fib_trie text (host addresses and
// `local` prefix routes, other route types ignored), gaps found exactly, the covering prefix of the fix, the
// bind fallback's samples, and the one-line error (exit 2) against fixture files.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIPv4 } from '../../../agent/fleet/identity.js';
import {
  assertLocalRange, checkLocalRange, coveringPrefix, firstGap, parseFibTrie, sampleRange,
} from '../../../agent/fleet/local-addresses.js';

const ip = (s: string): number => parseIPv4(s)!;

// As Linux prints it with `ip route add local 10.62.0.0/16 dev lo` and one secondary address 10.70.0.9.
const FIB = `Main:
  +-- 0.0.0.0/0 3 0 5
     |-- 0.0.0.0
        /0 universe UNICAST
     +-- 10.0.0.0/9 2 0 2
        |-- 10.62.0.0
           /16 host LOCAL
        |-- 10.70.0.0
           /24 link UNICAST
        |-- 10.70.0.9
           /32 host LOCAL
     +-- 127.0.0.0/8 2 0 2
        +-- 127.0.0.0/31 1 0 0
           |-- 127.0.0.0
              /8 host LOCAL
           |-- 127.0.0.1
              /32 host LOCAL
        |-- 127.255.255.255
           /32 link BROADCAST
Local:
  +-- 0.0.0.0/0 3 0 5
     |-- 10.62.0.0
        /16 host LOCAL
`;

t.test('LOCAL routes from fib_trie', async (t) => {
  const spans = parseFibTrie(FIB);
  t.ok(spans.some((s) => s.first === ip('10.62.0.0') && s.last === ip('10.62.255.255')), 'the local /16');
  t.ok(spans.some((s) => s.first === ip('10.70.0.9') && s.last === ip('10.70.0.9')), 'a secondary address');
  t.ok(spans.some((s) => s.first === ip('127.0.0.0') && s.last === ip('127.255.255.255')), 'loopback');
  t.notOk(spans.some((s) => s.first === ip('10.70.0.0') && s.last === ip('10.70.0.255')), 'a link route is not local');
  t.notOk(spans.some((s) => s.first === 0), 'the default route is not local');
});

t.test('gaps, prefixes and samples', async (t) => {
  const spans = parseFibTrie(FIB);
  t.equal(firstGap(spans, ip('10.62.0.1'), ip('10.62.255.254')), null);
  t.equal(firstGap(spans, ip('127.1.0.1'), ip('127.2.134.160')), null);
  t.same(firstGap(spans, ip('10.62.255.250'), ip('10.63.0.10')), { first: ip('10.63.0.0'), last: ip('10.63.0.10') });
  t.same(firstGap(spans, ip('10.70.0.8'), ip('10.70.0.10')), { first: ip('10.70.0.8'), last: ip('10.70.0.8') });
  t.same(firstGap([{ first: 10, last: 12 }, { first: 11, last: 20 }, { first: 22, last: 30 }], 10, 30), { first: 21, last: 21 });
  t.equal(coveringPrefix(ip('10.62.0.1'), ip('10.62.3.232')), '10.62.0.0/22');
  t.equal(coveringPrefix(ip('10.62.0.1'), ip('10.63.134.160')), '10.62.0.0/15');
  t.equal(coveringPrefix(ip('10.62.0.7'), ip('10.62.0.7')), '10.62.0.7/32');
  t.equal(coveringPrefix(ip('10.255.255.255'), ip('11.0.0.0')), '10.0.0.0/7');
  t.same(sampleRange(5, 7), [5, 6, 7]);
  const s = sampleRange(1000, 100_999);
  t.equal(s.length, 64);
  t.equal(s[0], 1000);
  t.equal(s.at(-1), 100_999);
});

t.test('the check and its one line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smp-fib-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fib = join(dir, 'fib_trie');
  writeFileSync(fib, FIB);
  t.same(await checkLocalRange(ip('10.62.0.1'), ip('10.62.39.16'), fib), { method: 'fib_trie', missing: null });
  await t.rejects(assertLocalRange(ip('10.61.0.1'), ip('10.61.3.232'), fib), {
    code: 'SMP_ERR_ENVIRONMENT', exitCode: 2,
    message: 'agent addresses 10.61.0.1..10.61.3.232 are not local to this host; make them local with: ip route add local 10.61.0.0/22 dev lo',
  });
  await t.rejects(assertLocalRange(ip('10.62.255.200'), ip('10.63.0.5'), fib), {
    message: /^agent addresses 10\.63\.0\.0\.\.10\.63\.0\.5 \(of the fleet's 10\.62\.255\.200\.\.10\.63\.0\.5\) are not local .* 10\.62\.0\.0\/15 dev lo$/,
  });
  // No fib_trie (not Linux): binding samples decides; loopback binds, TEST-NET-3 (never local here) does not.
  const none = join(dir, 'absent');
  t.same(await checkLocalRange(ip('127.1.0.1'), ip('127.1.3.232'), none), { method: 'bind-sample', missing: null });
  const r = await checkLocalRange(ip('203.0.113.1'), ip('203.0.113.9'), none);
  t.equal(r.method, 'bind-sample');
  t.same(r.missing, { first: ip('203.0.113.1'), last: ip('203.0.113.1') });
});
