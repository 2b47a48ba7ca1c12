// /Altiris/Console login, logout and credentials API: the login form (GET, and POST form-urlencoded,
// rate-limited per client address by @fastify/rate-limit), logout, GET api/session (the console
// page's user and CSRF token) and POST api/tokens (a bearer token for API clients). Who may call what
// is decided by the guard (guard.ts); these routes only issue and end sessions and tokens.
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { smpError } from '../../../shared/errors.js';
import { defineNsPlugin, type NsContext } from '../context.js';
import { jsonErrorHandler } from '../http-errors.js';
import type { ConsoleAccess } from './access.js';
import { LOGIN_CSS, loginPage } from './login-page.js';
import { CONSOLE_PREFIX, LOGIN_COOKIE, LOGIN_PATH, SESSION_COOKIE } from './options.js';

const LOGIN_FORM_TTL_MS = 3600_000;
const HOME = `${CONSOLE_PREFIX}/`;

/**
 * Only a path under the console: never another host (`//evil`) or scheme. The prefix is given its
 * canonical case, since the session cookie's path (`/Altiris/Console`) is matched case-sensitively.
 */
export function safeReturn(v: unknown): string {
  if (typeof v !== 'string' || v.length > 2048 || /[\\\s]/.test(v)) return HOME;
  return /^\/Altiris\/Console(\/|\?|$)/i.test(v) ? CONSOLE_PREFIX + v.slice(CONSOLE_PREFIX.length) : HOME;
}

export const consoleAccessPlugin = defineNsPlugin({
  name: 'console-access',
  prefix: CONSOLE_PREFIX,
  async register(scope, ctx) {
    const access = ctx.consoleAccess;
    scope.setErrorHandler(jsonErrorHandler);
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
    await scope.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_req, c) => smpError('RATE_LIMITED', `too many login attempts; retry in ${Math.ceil(c.ttl / 1000)} s`),
    });
    scope.get('/login.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'max-age=3600')
      .send(LOGIN_CSS));
    scope.get<{ Querystring: { return?: string } }>('/login', async (req, reply) =>
      showLogin(access, req, reply, 200, safeReturn(req.query.return), '', undefined));
    scope.post('/login', {
      config: { rateLimit: { max: access.settings.maxLoginPosts, timeWindow: access.settings.failureWindowMs } },
    }, async (req, reply) => postLogin(access, req, reply));
    scope.post('/logout', async (req, reply) => {
      const session = req.consoleAuth?.session;
      if (session) access.revoke(session);
      void reply.clearCookie(SESSION_COOKIE, { path: CONSOLE_PREFIX });
      req.log.info({ user: req.consoleAuth?.user }, 'console logout');
      return (req.headers.accept ?? '').includes('text/html') ? reply.redirect(LOGIN_PATH, 303) : reply.code(204).send();
    });
    registerCredentialApi(scope, ctx);
  },
});

function registerCredentialApi(scope: Parameters<typeof consoleAccessPlugin.register>[0], ctx: NsContext): void {
  const access = ctx.consoleAccess;
  scope.get('/api/session', async (req, reply) => {
    const auth = req.consoleAuth;
    if (auth === null) throw smpError('AUTH', 'not authenticated');
    void reply.header('cache-control', 'no-store');
    return {
      user: auth.user, via: auth.via,
      csrfToken: auth.session ? access.codec.csrfToken(auth.session) : null,
      expiresAt: auth.session ? new Date(auth.session.exp).toISOString() : null,
    };
  });
  scope.post('/api/tokens', async (req, reply) => {
    const auth = req.consoleAuth;
    if (auth === null) throw smpError('AUTH', 'not authenticated');
    const t = access.newBearer(auth.user);
    req.log.info({ user: auth.user, via: auth.via }, 'console bearer token issued');
    return reply.code(201).header('cache-control', 'no-store')
      .send({ token: t.token, tokenType: 'Bearer', expiresAt: new Date(t.expiresAt).toISOString() });
  });
}

function showLogin(access: ConsoleAccess, req: FastifyRequest, reply: FastifyReply, status: number, returnTo: string,
  user: string, message: string | undefined): FastifyReply {
  const nonce = access.codec.newClaim('login', '', access.account.generation, LOGIN_FORM_TTL_MS, Date.now());
  void reply.setCookie(LOGIN_COOKIE, access.codec.encode(nonce), {
    signed: true, httpOnly: true, sameSite: 'strict', secure: req.protocol === 'https', path: LOGIN_PATH,
    maxAge: LOGIN_FORM_TTL_MS / 1000,
  });
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store')
    .send(loginPage({ csrfToken: access.codec.csrfToken(nonce), returnTo, user, message }));
}

async function postLogin(access: ConsoleAccess, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const returnTo = safeReturn(body['return']);
  const user = typeof body['user'] === 'string' ? body['user'] : '';
  const password = typeof body['password'] === 'string' ? body['password'] : '';
  const cookie = req.cookies[LOGIN_COOKIE];
  const nonce = cookie === undefined ? undefined : access.codec.open(cookie, 'login', access.account.generation, Date.now());
  const csrf = typeof body['_csrf'] === 'string' ? body['_csrf'] : undefined;
  if (nonce === undefined || !nonce.ok || !access.codec.csrfMatches(nonce.claim, csrf)) {
    req.log.warn({ ip: req.ip }, 'console login refused: form token missing or wrong');
    return showLogin(access, req, reply, 403, returnTo, user, 'The login form expired or was not sent by this page; try again.');
  }
  const v = await access.login(req.ip, user, password);
  if (v.ok) {
    const session = access.newSession(user);
    req.log.info({ user, ip: req.ip }, 'console login');
    void reply.clearCookie(LOGIN_COOKIE, { path: LOGIN_PATH });
    void reply.setCookie(SESSION_COOKIE, access.codec.encode(session), {
      signed: true, httpOnly: true, sameSite: 'strict', secure: req.protocol === 'https', path: CONSOLE_PREFIX,
      expires: new Date(session.exp),
    });
    return reply.redirect(returnTo, 303);
  }
  if (v.status === 429) {
    void reply.header('retry-after', String(v.retryAfterS));
    return showLogin(access, req, reply, 429, returnTo, user, `Too many failed logins; try again in ${v.retryAfterS} s.`);
  }
  req.log.warn({ user, ip: req.ip }, 'console login failed');
  return showLogin(access, req, reply, 401, returnTo, user, 'Wrong user or password.');
}
