// Signed claims of the console: a session cookie, a bearer token and the login form's pre-session
// nonce are each `base64url(JSON) + "." + HMAC-SHA256` with the console secret (@fastify/cookie's
// Signer). A `kind` field keeps one kind from being replayed as another; CSRF tokens are HMACs of
// the session id. Pure: no I/O, the clock is passed in.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Signer } from '@fastify/cookie';

export type ClaimKind = 'session' | 'token' | 'login';

export interface Claim {
  readonly kind: ClaimKind;
  readonly user: string;
  /** Random id: a session's id (CSRF and logout are bound to it), a token's id, the login nonce. */
  readonly id: string;
  /** Expiry, ms since the epoch. */
  readonly exp: number;
  /** Account generation (password or user changed -> every older claim is void). */
  readonly gen: string;
}

export type OpenResult = { readonly ok: true; readonly claim: Claim } | { readonly ok: false; readonly reason: 'forged' | 'expired' };

const BEARER_PREFIX = 'smpt.';

export class ClaimCodec {
  readonly signer: Signer;
  private readonly secret: Buffer;

  constructor(secret: Buffer) {
    this.secret = secret;
    this.signer = new Signer(secret, 'sha256');
  }

  newClaim(kind: ClaimKind, user: string, gen: string, ttlMs: number, now: number): Claim {
    return { kind, user, id: randomBytes(16).toString('base64url'), exp: now + ttlMs, gen };
  }

  /** The unsigned cookie value (the cookie plugin signs it when set). */
  encode(c: Claim): string {
    return Buffer.from(JSON.stringify([c.kind, c.user, c.id, c.exp, c.gen])).toString('base64url');
  }

  /** A signed cookie value or bearer token back to its claim, checked for kind, generation and expiry. */
  open(signed: string, kind: ClaimKind, gen: string, now: number): OpenResult {
    const text = kind === 'token' ? (signed.startsWith(BEARER_PREFIX) ? signed.slice(BEARER_PREFIX.length) : '') : signed;
    const r = this.signer.unsign(text);
    if (!r.valid || r.value === null) return { ok: false, reason: 'forged' };
    const c = decode(r.value);
    if (c === undefined || c.kind !== kind || c.gen !== gen) return { ok: false, reason: 'forged' };
    if (c.exp <= now) return { ok: false, reason: 'expired' };
    return { ok: true, claim: c };
  }

  bearer(c: Claim): string {
    return BEARER_PREFIX + this.signer.sign(this.encode(c));
  }

  /** The CSRF token of a session (or of a login nonce): an HMAC of its id, so nothing is stored. */
  csrfToken(c: Claim): string {
    return createHmac('sha256', this.secret).update(`csrf\0${c.kind}\0${c.id}`).digest('base64url');
  }

  csrfMatches(c: Claim, given: string | undefined): boolean {
    if (given === undefined) return false;
    const want = Buffer.from(this.csrfToken(c));
    const got = Buffer.from(given);
    return got.length === want.length && timingSafeEqual(got, want);
  }
}

function decode(value: string): Claim | undefined {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length !== 5) return undefined;
  const [kind, user, id, exp, gen] = v as unknown[];
  if (kind !== 'session' && kind !== 'token' && kind !== 'login') return undefined;
  if (typeof user !== 'string' || typeof id !== 'string' || typeof exp !== 'number' || typeof gen !== 'string') return undefined;
  return { kind, user, id, exp, gen };
}
