// ConsoleAccess: the one service that decides who a console request is (session cookie, HTTP Basic
// or bearer token) and owns the account, the claim codec, the failure limiter and the logged-out
// sessions. Made by the NS factory and passed to the guard and the login routes in the context.
// It never answers requests itself; the guard maps its verdicts to HTTP.
import type { FastifyRequest } from 'fastify';
import { ClaimCodec, type Claim } from './claims.js';
import { FailureLimiter } from './failure-limiter.js';
import { SESSION_COOKIE, type ConsoleSettings } from './options.js';
import type { ConsoleAccount } from './password.js';

export type AuthMethod = 'cookie' | 'basic' | 'bearer';

export interface ConsoleAuth {
  readonly user: string;
  readonly via: AuthMethod;
  /** The session claim when authenticated by cookie (CSRF and logout are bound to it). */
  readonly session: Claim | null;
}

export type Verdict =
  | { readonly ok: true; readonly auth: ConsoleAuth }
  | { readonly ok: false; readonly status: 401; readonly why: 'anonymous' | 'wrong' | 'forged' | 'expired' }
  | { readonly ok: false; readonly status: 429; readonly retryAfterS: number };

const MAX_REVOKED = 100_000;

export class ConsoleAccess {
  readonly codec: ClaimCodec;
  readonly limiter: FailureLimiter;
  /** Logged-out session ids until their expiry (in memory: a restart forgets them, the cookies are gone by then). */
  private readonly revoked = new Map<string, number>();

  constructor(readonly settings: ConsoleSettings, readonly account: ConsoleAccount, secret: Buffer,
    private readonly now: () => number = Date.now) {
    this.codec = new ClaimCodec(secret);
    this.limiter = new FailureLimiter(settings.maxFailures, settings.failureWindowMs);
  }

  async authenticate(req: FastifyRequest): Promise<Verdict> {
    const header = req.headers.authorization;
    if (header !== undefined) return this.byHeader(req.ip, header);
    const cookie = req.cookies[SESSION_COOKIE];
    if (cookie === undefined) return { ok: false, status: 401, why: 'anonymous' };
    const r = this.codec.open(cookie, 'session', this.account.generation, this.now());
    if (!r.ok) return { ok: false, status: 401, why: r.reason };
    if (this.revoked.has(r.claim.id)) return { ok: false, status: 401, why: 'expired' };
    return { ok: true, auth: { user: r.claim.user, via: 'cookie', session: r.claim } };
  }

  /** Checks a login form's user and password, counting failures per address. */
  async login(address: string, user: string, password: string): Promise<Verdict> {
    const wait = this.limiter.blockedFor(address, this.now());
    if (wait > 0) return { ok: false, status: 429, retryAfterS: Math.ceil(wait / 1000) };
    if (await this.account.verify(user, password)) return { ok: true, auth: { user, via: 'cookie', session: null } };
    this.limiter.fail(address, this.now());
    return { ok: false, status: 401, why: 'wrong' };
  }

  newSession(user: string): Claim {
    return this.codec.newClaim('session', user, this.account.generation, this.settings.sessionTtlMs, this.now());
  }

  newBearer(user: string): { token: string; expiresAt: number } {
    const c = this.codec.newClaim('token', user, this.account.generation, this.settings.tokenTtlMs, this.now());
    return { token: this.codec.bearer(c), expiresAt: c.exp };
  }

  revoke(session: Claim): void {
    const now = this.now();
    for (const [id, exp] of this.revoked) {
      if (exp > now && this.revoked.size < MAX_REVOKED) break;
      this.revoked.delete(id);
    }
    this.revoked.set(session.id, session.exp);
  }

  private async byHeader(address: string, header: string): Promise<Verdict> {
    const wait = this.limiter.blockedFor(address, this.now());
    if (wait > 0) return { ok: false, status: 429, retryAfterS: Math.ceil(wait / 1000) };
    const verdict = await this.checkHeader(header);
    if (!verdict.ok) this.limiter.fail(address, this.now());
    return verdict;
  }

  private async checkHeader(header: string): Promise<Verdict> {
    const space = header.indexOf(' ');
    const scheme = (space === -1 ? header : header.slice(0, space)).toLowerCase();
    const value = space === -1 ? '' : header.slice(space + 1).trim();
    if (scheme === 'basic') {
      const text = Buffer.from(value, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      if (colon === -1) return { ok: false, status: 401, why: 'wrong' };
      const user = text.slice(0, colon);
      if (!(await this.account.verify(user, text.slice(colon + 1)))) return { ok: false, status: 401, why: 'wrong' };
      return { ok: true, auth: { user, via: 'basic', session: null } };
    }
    if (scheme === 'bearer') {
      const r = this.codec.open(value, 'token', this.account.generation, this.now());
      if (!r.ok) return { ok: false, status: 401, why: r.reason };
      return { ok: true, auth: { user: r.claim.user, via: 'bearer', session: null } };
    }
    return { ok: false, status: 401, why: 'wrong' };
  }
}
