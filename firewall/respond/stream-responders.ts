// TCP catalog responders that are not HTTP or SSH: the smp-lab probe handshake (tickle, task channel,
// Event Console, Monitor ...), FTP and SMTP banners, SMB2 negotiate on 445, the NetBIOS session
// service on 139 and the DCE/RPC endpoint mapper on 135. Each bounds its buffer, times out idle
// peers and never crashes on garbage: bad input closes that one socket.
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { decodeCoHeader, encodeBindNak, CO_BIND } from '../../shared/protocol/dcerpc.js';
import { decodeSessionHeader, encodeSessionPacket, SSN_MESSAGE, SSN_POSITIVE, SSN_REQUEST } from '../../shared/protocol/netbios.js';
import { decodeProbeRequest, encodeProbeAck, firstLine } from '../../shared/protocol/probe-handshake.js';
import { decodeSmb, encodeNegotiateResponse, SMB_MAX } from '../../shared/protocol/smb2-negotiate.js';
import type { ListenerSpec } from './plan.js';

const IDLE_MS = 15_000;
const MAX_BUFFER = 8 * 1024;
const HOST = 'SMPLAB';

type Feed = (buf: Buffer, socket: Socket) => Buffer;

/** A TCP server whose sockets feed `feed` with their accumulated bytes; `feed` returns what it left unread. */
function streamServer(onConnect: (socket: Socket) => void, feed: Feed): Server {
  const server = createServer((socket) => {
    let buf: Buffer = Buffer.alloc(0);
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('end', () => socket.end());
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        buf = feed(buf, socket);
        if (buf.length > MAX_BUFFER) socket.destroy();
      } catch {
        socket.destroy(); // typed codec error: garbage closes this socket only
      }
    });
    onConnect(socket);
  });
  server.maxConnections = 4096;
  return server;
}

export function createHandshakeResponder(spec: ListenerSpec): Server {
  return streamServer(() => undefined, (buf, socket) => {
    const line = firstLine(buf);
    if (line === null) return buf;
    const req = decodeProbeRequest(line);
    socket.end(encodeProbeAck({ flowId: req.flowId, nonce: req.nonce, roles: spec.roles, protocol: spec.protocol }));
    return Buffer.alloc(0);
  });
}

/** Line-oriented banner services (FTP, SMTP): a greeting, then one answer per command line. */
function lineService(greeting: string, answer: (verb: string) => string | null): Server {
  return streamServer((s) => s.write(greeting), (buf, socket) => {
    let rest = buf;
    for (let end = rest.indexOf(0x0a); end >= 0; end = rest.indexOf(0x0a)) {
      const verb = rest.subarray(0, end).toString('latin1').trim().split(' ')[0]?.toUpperCase() ?? '';
      rest = rest.subarray(end + 1);
      const reply = answer(verb);
      if (reply === null) {
        socket.end('221 closing\r\n');
        return Buffer.alloc(0);
      }
      socket.write(reply);
    }
    return rest;
  });
}

export function createFtpResponder(): Server {
  return lineService('220 smp-lab FTP catalog responder ready\r\n', (verb) => {
    if (verb === 'QUIT') return null;
    if (verb === 'SYST') return '215 UNIX Type: L8\r\n';
    if (verb === 'USER') return '331 any password will be refused\r\n';
    if (verb === 'PASS') return '530 login refused: smp-lab responder has no files\r\n';
    if (verb === 'FEAT') return '211 no features\r\n';
    return '502 command not implemented by the smp-lab responder\r\n';
  });
}

export function createSmtpResponder(): Server {
  return lineService('220 smp-lab ESMTP catalog responder\r\n', (verb) => {
    if (verb === 'QUIT') return null;
    if (verb === 'EHLO') return '250-smp-lab\r\n250 SIZE 1048576\r\n';
    if (verb === 'HELO') return '250 smp-lab\r\n';
    if (verb === 'NOOP' || verb === 'RSET') return '250 OK\r\n';
    return '550 the smp-lab responder accepts no mail\r\n';
  });
}

/** SMB over TCP (445) or, after a NetBIOS session request, over the session service (139). */
export function createSmbResponder(netbiosSession: boolean): Server {
  const guid = randomBytes(16);
  return streamServer(() => undefined, (buf, socket) => {
    let rest = buf;
    for (;;) {
      const head = decodeSessionHeader(rest);
      if (head === null || head.length > SMB_MAX) {
        if (head !== null) socket.destroy();
        return rest;
      }
      if (rest.length < 4 + head.length) return rest;
      const body = rest.subarray(4, 4 + head.length);
      rest = rest.subarray(4 + head.length);
      if (head.type === SSN_REQUEST && netbiosSession) {
        socket.write(encodeSessionPacket(SSN_POSITIVE));
      } else if (head.type === SSN_MESSAGE) {
        const msg = decodeSmb(body);
        if (msg.response || msg.command !== (msg.version === 1 ? 0x72 : 0)) {
          socket.destroy(); // only NEGOTIATE is answered
          return Buffer.alloc(0);
        }
        socket.write(encodeNegotiateResponse(msg.messageId, guid));
      } else {
        socket.destroy();
        return Buffer.alloc(0);
      }
    }
  });
}

export function createMsrpcResponder(): Server {
  return streamServer(() => undefined, (buf, socket) => {
    const head = decodeCoHeader(buf);
    if (head === null || buf.length < head.length) return buf;
    if (head.ptype !== CO_BIND) {
      socket.destroy();
      return Buffer.alloc(0);
    }
    socket.end(encodeBindNak(head.callId));
    return Buffer.alloc(0);
  });
}

export const NETBIOS_HOST_NAME = HOST;
