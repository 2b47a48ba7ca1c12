// The loopback-only remoting listeners (50121/50122): the TS web part asks the TS process for its
// status over smp-lab's remoting frames. Bound to 127.0.0.1 whatever --bind says; a non-loopback
// peer that reaches the port anyway (it cannot, by the bind) would be refused by the address check.
import { createServer, type Server, type Socket } from 'node:net';
import { isSmpError, smpError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { FrameReader } from '../../shared/protocol/frame.js';
import { channelErrorCode } from '../../shared/protocol/task-channel.js';
import { decodeRemotingMessage, encodeRemotingMessage, REMOTING_QUERY, TS_REMOTING } from '../../shared/protocol/ts-remoting.js';
import type { RejectLog } from './reject-log.js';

export const REMOTING_HOST = '127.0.0.1';
const MAX_CONNECTIONS = 64;

export type StatusSource = (what: number) => Record<string, unknown>;

const isLoopback = (a: string | undefined): boolean =>
  a !== undefined && (a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.'));

export function createRemotingServer(name: string, status: StatusSource, rejects: RejectLog, log: Logger): Server {
  const server = createServer({ noDelay: true }, (socket: Socket) => {
    if (!isLoopback(socket.remoteAddress)) {
      rejects.note(name, 'not-loopback', { remote: socket.remoteAddress }, 'remoting peer is not on loopback');
      socket.destroy();
      return;
    }
    const reader = new FrameReader(TS_REMOTING);
    socket.setTimeout(30_000, () => socket.destroy());
    socket.on('error', (err) => log.debug({ channel: name, err: err.message }, 'remoting socket error'));
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of reader.push(chunk)) {
          const m = decodeRemotingMessage(f);
          if (m.type !== 'query' || (m.what !== REMOTING_QUERY.STATUS && m.what !== REMOTING_QUERY.COMPUTER_COUNT)) {
            throw smpError('UNKNOWN_MESSAGE', 'ts remoting: only status and computer-count queries are answered');
          }
          socket.write(encodeRemotingMessage({ type: 'reply', json: JSON.stringify(status(m.what)) }));
        }
      } catch (err) {
        if (!isSmpError(err)) throw err;
        rejects.note(name, err.code.replace('SMP_ERR_', '').toLowerCase(), { remote: socket.remoteAddress }, err.message);
        socket.end(encodeRemotingMessage({ type: 'error', code: channelErrorCode(err.code), reason: err.message }));
        socket.destroySoon();
        socket.removeAllListeners('data');
      }
    });
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.on('drop', () => rejects.note(name, 'flood', {}, 'remoting connection dropped: too many connections'));
  return server;
}

export async function listenLoopback(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: REMOTING_HOST }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address();
  if (a === null || typeof a === 'string') throw new Error('remoting listener has no address');
  return a.port;
}
