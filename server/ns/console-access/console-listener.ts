// The optional separate console listener (--console-bind / --console-port): its own address and
// port, like a separate IIS site, HTTPS when the NS has a certificate and HTTP otherwise. It feeds the
// same fastify app and marks each request (and WebSocket upgrade) so the guard can keep the console
// and the agent pages apart. It never handles a request itself.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer, type ServerOptions } from 'node:https';
import type { Duplex } from 'node:stream';

const VIA_CONSOLE = Symbol('smp-lab console listener');
type Marked = IncomingMessage & { [VIA_CONSOLE]?: true };

export const isViaConsoleListener = (req: IncomingMessage): boolean => (req as Marked)[VIA_CONSOLE] === true;

export interface ConsoleListenerParts {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Where WebSocket upgrades go (the agent HTTP server, which @fastify/websocket listens on). */
  readonly upgradeTarget: Server;
  readonly tls: ServerOptions | undefined;
  readonly httpOptions: ServerOptions;
}

export function createConsoleListener(p: ConsoleListenerParts): Server | HttpsServer {
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    (req as Marked)[VIA_CONSOLE] = true;
    p.handler(req, res);
  };
  const server = p.tls ? createHttpsServer({ ...p.tls, ...p.httpOptions }, onRequest) : createHttpServer(p.httpOptions, onRequest);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    (req as Marked)[VIA_CONSOLE] = true;
    if (p.upgradeTarget.listenerCount('upgrade') === 0) socket.destroy();
    else p.upgradeTarget.emit('upgrade', req, socket, head);
  });
  return server;
}
