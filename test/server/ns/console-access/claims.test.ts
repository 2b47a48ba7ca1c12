// The claim codec (session cookies, bearer tokens, login nonces) and the failure limiter, without
// sockets: kinds cannot be swapped, a change of account generation voids old claims, expiry is exact,
// CSRF tokens bind to one session, and random or mutated input gives a refusal, never an exception.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { ClaimCodec } from '../../../../server/ns/console-access/claims.js';
import { FailureLimiter } from '../../../../server/ns/console-access/failure-limiter.js';

const codec = new ClaimCodec(randomBytes(32));
const NOW = 1_800_000_000_000;

t.test('claims open only as their own kind, generation and lifetime', async (t) => {
  const s = codec.newClaim('session', 'admin', 'g1', 1000, NOW);
  const cookie = codec.signer.sign(codec.encode(s));
  t.match(codec.open(cookie, 'session', 'g1', NOW), { ok: true, claim: { user: 'admin', kind: 'session' } });
  t.same(codec.open(cookie, 'session', 'g1', NOW + 1000), { ok: false, reason: 'expired' }, 'expired at exp');
  t.same(codec.open(cookie, 'session', 'g2', NOW), { ok: false, reason: 'forged' }, 'another account generation');
  t.same(codec.open(cookie, 'login', 'g1', NOW), { ok: false, reason: 'forged' }, 'a session is not a login nonce');
  t.same(codec.open(`smpt.${cookie}`, 'token', 'g1', NOW), { ok: false, reason: 'forged' }, 'a session is not a bearer token');
  const tok = codec.bearer(codec.newClaim('token', 'admin', 'g1', 1000, NOW));
  t.match(codec.open(tok, 'token', 'g1', NOW), { ok: true });
  t.same(codec.open(tok.slice('smpt.'.length), 'token', 'g1', NOW), { ok: false, reason: 'forged' }, 'a token needs its prefix');
  t.same(codec.open(tok.slice('smpt.'.length), 'session', 'g1', NOW), { ok: false, reason: 'forged' }, 'a token is not a session');
  const other = new ClaimCodec(randomBytes(32));
  t.same(other.open(cookie, 'session', 'g1', NOW), { ok: false, reason: 'forged' }, 'another secret');
});

t.test('CSRF tokens belong to one session', async (t) => {
  const a = codec.newClaim('session', 'admin', 'g', 1000, NOW);
  const b = codec.newClaim('session', 'admin', 'g', 1000, NOW);
  t.ok(codec.csrfMatches(a, codec.csrfToken(a)));
  t.notOk(codec.csrfMatches(a, codec.csrfToken(b)), 'not another session\'s');
  t.notOk(codec.csrfMatches(a, undefined));
  t.notOk(codec.csrfMatches(a, ''));
  t.notOk(codec.csrfMatches(a, `${codec.csrfToken(a)}x`));
});

t.test('fuzz: random and mutated input is refused, never thrown', async (t) => {
  const good = codec.signer.sign(codec.encode(codec.newClaim('session', 'admin', 'g', 1000, NOW)));
  let refused = 0;
  for (let i = 0; i < 3000; i++) {
    const buf = Buffer.from(good);
    const mutated = i % 3 === 0 ? randomBytes(i % 200).toString('latin1')
      : i % 3 === 1 ? (buf[i % buf.length] = (buf[i % buf.length]! + 1 + (i % 250)) % 256, buf.toString('latin1'))
        : codec.signer.sign(randomBytes(i % 64).toString('base64url'));
    const r = codec.open(mutated, i % 2 ? 'session' : 'token', 'g', NOW);
    if (!r.ok) refused++;
  }
  t.equal(refused, 3000, 'every random or mutated claim refused');
});

t.test('the failure limiter blocks an address for the rest of its window', async (t) => {
  const l = new FailureLimiter(2, 1000);
  t.equal(l.blockedFor('a', 0), 0);
  l.fail('a', 0);
  t.equal(l.blockedFor('a', 10), 0, 'one failure: still allowed');
  l.fail('a', 10);
  t.equal(l.blockedFor('a', 100), 900, 'two: blocked until the window ends');
  t.equal(l.blockedFor('b', 100), 0, 'per address');
  t.equal(l.blockedFor('a', 1000), 0, 'a new window');
  l.fail('a', 1000);
  t.equal(l.blockedFor('a', 1001), 0, 'the count started again');
});
