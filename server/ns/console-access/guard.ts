// The one gate of /Altiris/Console: root hooks the NS factory adds before any plugin, so every route
// under the prefix (API, pages, assets, the live WebSocket upgrade, unknown paths) is covered
// whoever registers it and in whatever order. onRequest decides who the caller is; preHandler checks
// the CSRF token of cookie-authenticated state-changing requests (after the body is parsed, before
// any handler runs). Agent pages pass untouched. It never lets a refused request reach a handler.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS } from '../../../shared/errors.js';
import { xmlErrorBody, type HttpProblem } from '../http-errors.js';
import type { ConsoleAccess, ConsoleAuth } from './access.js';
import { isViaConsoleListener } from './console-listener.js';
import { sessionEndedPage } from './login-page.js';
import { CONSOLE_PREFIX, CSRF_HEADER, LOGIN_CSS_PATH, LOGIN_PATH, SESSION_COOKIE } from './options.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who called a console route (set by the guard); null on agent pages and the login page. */
    consoleAuth: ConsoleAuth | null;
  }
}

const OPEN_ROUTES = new Set([LOGIN_PATH, LOGIN_CSS_PATH]);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CHALLENGE = 'Basic realm="smp-lab console", charset="UTF-8"';

const underConsole = (path: string): boolean => {
  const l = path.toLowerCase();
  return l === '/altiris/console' || l.startsWith('/altiris/console/');
};

function pathOf(url: string): string {
  const q = url.indexOf('?');
  const raw = q === -1 ? url : url.slice(0, q);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * By the route fastify matched (what runs); only a path no route matched (the 404 handler) is judged by
 * its decoded path, so an agent page never pays for decoding its URL here.
 */
export function isConsoleRequest(req: FastifyRequest): boolean {
  const route = req.routeOptions.url;
  return route !== undefined ? underConsole(route) : underConsole(pathOf(req.url));
}

const wantsHtml = (req: FastifyRequest): boolean => (req.method === 'GET' || req.method === 'HEAD')
  && req.headers.upgrade === undefined && (req.headers.accept ?? '').includes('text/html');

function problem(reply: FastifyReply, p: HttpProblem): FastifyReply {
  return reply.code(p.status).type('application/json; charset=utf-8').send({ error: p });
}

const MESSAGES = {
  anonymous: `credentials required: log in at ${LOGIN_PATH}, or send HTTP Basic or a bearer token`,
  wrong: 'wrong console user or password, or an unknown authorization scheme',
  forged: 'the session cookie or bearer token is not valid; log in again',
  expired: 'the session or bearer token has expired or was logged out; log in again',
} as const;

export interface GuardOptions {
  /** The console has its own listener: agent listeners answer 404 under the prefix, it answers 404 elsewhere. */
  readonly separateListener: boolean;
}

export function consoleGuard(access: ConsoleAccess, o: GuardOptions) {
  const notFound = (req: FastifyRequest, reply: FastifyReply) => reply.code(404).type('text/xml; charset=utf-8')
    .send(xmlErrorBody({ status: 404, code: ERRORS.NOT_FOUND.code, message: `no page ${req.url.split('?')[0]} on this NS` }));

  async function onRequest(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    // An upgrade answered over HTTP (refused, 404) leaves a socket no HTTP parser owns any more: end it
    // once the answer is out, or it stays half-open (httpAllowHalfOpen) after the client gives up.
    if (req.headers.upgrade !== undefined) reply.raw.once('finish', () => req.raw.socket.end());
    const isConsole = isConsoleRequest(req);
    if (o.separateListener && isConsole !== isViaConsoleListener(req.raw)) return void notFound(req, reply);
    if (!isConsole) return;
    reply.helmet();
    const route = req.routeOptions.url;
    if (route !== undefined && OPEN_ROUTES.has(route)) return;
    const v = await access.authenticate(req);
    if (v.ok) {
      if (v.auth.via === 'cookie' && req.headers.upgrade !== undefined && !sameOrigin(req)) {
        return void problem(reply, { status: 403, code: ERRORS.FORBIDDEN.code, message: 'cross-origin WebSocket refused' });
      }
      req.consoleAuth = v.auth;
      return;
    }
    if (v.status === 429) {
      void reply.header('retry-after', String(v.retryAfterS));
      return void problem(reply, { status: 429, code: ERRORS.RATE_LIMITED.code,
        message: `too many failed credentials from ${req.ip}; retry in ${v.retryAfterS} s` });
    }
    req.log.warn({ url: req.url, why: v.why, ip: req.ip }, 'console request refused');
    if (v.why === 'anonymous' && wantsHtml(req)) {
      return void reply.redirect(`${LOGIN_PATH}?return=${encodeURIComponent(req.url)}`, 302);
    }
    void reply.header('www-authenticate', CHALLENGE);
    if (v.why !== 'anonymous' && req.cookies[SESSION_COOKIE] !== undefined) {
      void reply.clearCookie(SESSION_COOKIE, { path: CONSOLE_PREFIX });
    }
    if (wantsHtml(req)) return void reply.code(401).type('text/html; charset=utf-8').send(sessionEndedPage(req.url));
    return void problem(reply, { status: 401, code: ERRORS.AUTH.code, message: MESSAGES[v.why] });
  }

  async function preHandler(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const auth = req.consoleAuth;
    if (auth === null || auth.session === null || SAFE_METHODS.has(req.method)) return;
    if (access.codec.csrfMatches(auth.session, csrfGiven(req))) return;
    req.log.warn({ url: req.url, ip: req.ip }, 'console request refused: CSRF token missing or wrong');
    return void problem(reply, { status: 403, code: ERRORS.FORBIDDEN.code,
      message: `missing or wrong CSRF token: send the csrfToken of GET ${CONSOLE_PREFIX}/api/session in ${CSRF_HEADER}` });
  }

  return { onRequest, preHandler };
}

/** The X-CSRF-Token header, or the `_csrf` field of a form post (the logout form). */
function csrfGiven(req: FastifyRequest): string | undefined {
  const h = req.headers[CSRF_HEADER];
  if (typeof h === 'string') return h;
  const body = req.body as Record<string, unknown> | null | undefined;
  const f = body !== null && typeof body === 'object' ? body['_csrf'] : undefined;
  return typeof f === 'string' ? f : undefined;
}

/** A browser always sends Origin on a WebSocket upgrade; it must be this host (cross-site WebSocket hijacking). */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
