// Where this NS tells an agent to fetch from: the advertised host (or the Host the agent used,
// when it is a plain host name or address), the bound HTTP/HTTPS ports, and the scheme of the
// request (offered first). Never reflects a Host header that is not a host name or address.
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { plainIp } from '../../../shared/protocol/w3c-log.js';
import type { NsContext } from '../context.js';
import type { Endpoints } from './codebases.js';
import type { PackageRole } from './role.js';

const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

export function requestHost(req: FastifyRequest): string | undefined {
  let h = req.hostname;
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  return isIP(h) !== 0 || HOST.test(h) ? h : undefined;
}

export function endpointsFor(ctx: NsContext, role: PackageRole, req: FastifyRequest): Endpoints {
  const bound = ctx.bound();
  const local = plainIp(req.raw.socket.localAddress);
  return {
    host: role.options.advertisedHost ?? requestHost(req) ?? (local === '' ? '127.0.0.1' : local),
    httpPort: bound.http?.port ?? null,
    httpsPort: bound.https?.port ?? null,
    preferHttps: req.protocol === 'https',
  };
}

/** The caller's addresses: those it listed, else the address it connected from. */
export function callerAddresses(listed: readonly string[], req: FastifyRequest): string[] {
  return listed.length > 0 ? [...listed] : [plainIp(req.raw.socket.remoteAddress)].filter((a) => a !== '');
}
