// Security headers of every console answer (pages, API, login, refusals), set by @fastify/helmet
// from the guard: a CSP without inline script that lets console pages load their own assets and
// open a WebSocket to their own origin, no framing, no referrer. Agent pages never get these.
import type { IncomingMessage } from 'node:http';
import type { FastifyHelmetOptions } from '@fastify/helmet';

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** ws: and wss: of the page's own origin (older browsers do not let 'self' cover WebSockets). */
function socketsOfSelf(req: IncomingMessage): string {
  const host = req.headers.host;
  return host !== undefined && HOST.test(host) ? `ws://${host} wss://${host}` : "'self'";
}

export const CONSOLE_HELMET: FastifyHelmetOptions = {
  global: false,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'", (req: IncomingMessage) => socketsOfSelf(req)],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  // The lab moves ports (--port-offset) and serves plain HTTP too: HSTS would pin a browser to HTTPS
  // on a host name for a year. A real NS site sets it in IIS.
  strictTransportSecurity: false,
  referrerPolicy: { policy: 'no-referrer' },
  xFrameOptions: { action: 'deny' },
};
