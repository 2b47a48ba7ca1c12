// HTTP and HTTPS catalog responder: answers the SMP pages the firewall probe asks for (see
// http-routes.ts) with the smp-lab signature header, WS-Management Identify on /wsman, 404 for the
// rest. It is a presence responder, not the Notification Server: it never serves agent business.
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { Server } from 'node:net';
import { NS_PAGE, NS_PAGE_ANSWER, SIGNATURE_HEADER_NAME, servedPaths } from '../http-routes.js';
import type { ListenerSpec } from './plan.js';
import type { TlsIdentity } from './tls-identity.js';

const MAX_BODY = 64 * 1024;
export const RESPONDER_SERVER = 'smp-lab-responder/1';

export function createHttpResponder(spec: ListenerSpec, tls: TlsIdentity | null): Server {
  const paths = servedPaths(spec.flows);
  const wsman = spec.flows.some((f) => f.protocol === 'ws-man');
  const roles = spec.roles.join(',');
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader('Server', RESPONDER_SERVER);
    res.setHeader(SIGNATURE_HEADER_NAME, roles);
    const path = (req.url ?? '/').split('?')[0]?.toLowerCase() ?? '/';
    if (wsman && path === '/wsman' && req.method === 'POST') {
      readBody(req, (body) => {
        if (body === null) return send(res, 413, 'text/plain', 'request body too large\n');
        if (!/Identify/.test(body)) return send(res, 400, 'text/plain', 'only WS-Management Identify is answered here\n');
        send(res, 200, 'application/soap+xml;charset=UTF-8', identifyResponse(roles));
      });
      return;
    }
    req.resume();
    if ((req.method === 'GET' || req.method === 'HEAD') && paths.has(path)) {
      // The NS page answers as a Notification Server does (ConnectionTest ping), signature added.
      if (path === NS_PAGE.toLowerCase()) return send(res, 200, 'text/plain; charset=utf-8', NS_PAGE_ANSWER);
      return send(res, 200, 'text/plain; charset=utf-8', `smp-lab catalog responder for ${roles}: ${req.url ?? path}\n`);
    }
    send(res, 404, 'text/plain; charset=utf-8', `not an SMP page served by this responder (${roles})\n`);
  };
  const opts = { maxHeaderSize: 16 * 1024, requestTimeout: 15_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 };
  const server = tls ? createHttps({ ...opts, cert: tls.cert, key: tls.key }, handler) : createHttp(opts, handler);
  server.on('clientError', (_err, socket) => socket.destroy());
  server.on('tlsClientError', () => undefined);
  server.maxConnections = 4096;
  return server;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage, done: (body: string | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > MAX_BODY) over = true;
    else chunks.push(c);
  });
  req.on('end', () => done(over ? null : Buffer.concat(chunks).toString('utf8')));
  req.on('error', () => undefined);
}

function identifyResponse(roles: string): string {
  return '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    + 'xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body>'
    + '<wsmid:IdentifyResponse><wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion>'
    + `<wsmid:ProductVendor>smp-lab</wsmid:ProductVendor><wsmid:ProductVersion>responder (${roles})</wsmid:ProductVersion>`
    + '</wsmid:IdentifyResponse></s:Body></s:Envelope>';
}
