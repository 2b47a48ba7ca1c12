// UDP catalog responders: RMCP/IPMI on 623, NetBIOS name (137) and datagram (138) services, the
// DCE/RPC endpoint mapper on 135, and the smp-lab probe handshake for UDP ports without a public
// request/answer (139, 445) and for the multicast groups (52029, 52030), joined on the bound
// interface and answered by unicast. Every handler bounds its input and ignores garbage.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { CL_REQUEST, decodeClHeader, encodeClReject } from '../../shared/protocol/dcerpc.js';
import {
  decodeDatagram, decodeNameQuery, encodeDatagramError, encodeNameQueryAnswer, encodeNodeStatusAnswer, DGM_ERROR, NB, NBSTAT,
  type NameQuery,
} from '../../shared/protocol/netbios.js';
import { decodeProbeRequest, encodeProbeAck, firstLine } from '../../shared/protocol/probe-handshake.js';
import { AUTH_CAPABILITIES, ASF_PING, decodeRmcp, encodeIpmiResponse, encodePresencePong } from '../../shared/protocol/rmcp.js';
import type { ListenerSpec } from './plan.js';
import { NETBIOS_HOST_NAME } from './stream-responders.js';

const MAX_DATAGRAM = 2048;
const NEWLINE = Buffer.from('\n');

/** Answer for one datagram, or null to stay silent (what a real service does with garbage). */
type Answer = (msg: Buffer, from: RemoteInfo, local: Socket) => Buffer | null;

function answerFor(spec: ListenerSpec): Answer {
  switch (spec.protocol) {
    case 'ipmi':
    case 'asf':
      return answerRmcp;
    case 'netbios-ns':
      return answerNameService;
    case 'netbios-dgm':
      return (msg, _from, local) => {
        const d = decodeDatagram(msg);
        if (d.type === DGM_ERROR) return null;
        // No mailslot listens here: the RFC 1002 answer is "destination name not present".
        return encodeDatagramError(d.id, local.address().address, local.address().port);
      };
    case 'msrpc':
      return (msg) => (decodeClHeader(msg).ptype === CL_REQUEST ? encodeClReject(msg) : null);
    default:
      return (msg) => {
        // A datagram is one whole request: its line end is optional.
        const line = firstLine(msg.includes(0x0a) ? msg : Buffer.concat([msg, NEWLINE]));
        if (line === null) return null;
        const req = decodeProbeRequest(line);
        return encodeProbeAck({ flowId: req.flowId, nonce: req.nonce, roles: spec.roles, protocol: spec.protocol });
      };
  }
}

/** Name query for our name: our address; for another name: NAM_ERR when asked as a name server, else silence. */
function answerNameService(msg: Buffer, from: RemoteInfo, local: Socket): Buffer | null {
  const q: NameQuery = decodeNameQuery(msg);
  if (q.response) return null;
  if (q.type === NBSTAT) return encodeNodeStatusAnswer(q.id, NETBIOS_HOST_NAME);
  if (q.type !== NB) return null;
  if (q.name.toUpperCase() === NETBIOS_HOST_NAME) return encodeNameQueryAnswer(q, answeringAddress(local, from));
  return q.recursion ? encodeNameQueryAnswer(q, null) : null;
}

/** The address a name query answer gives: the bound one, or for a wildcard bind the one on the asker's subnet. */
function answeringAddress(local: Socket, from: RemoteInfo): string {
  const bound = local.address().address;
  if (bound !== '0.0.0.0') return bound;
  const v4 = Object.values(networkInterfaces()).flatMap((l) => (l ?? []).filter((a) => a.family === 'IPv4'));
  const toInt = (ip: string): number => ip.split('.').reduce((n, p) => ((n << 8) | (Number(p) & 0xff)) >>> 0, 0);
  const same = v4.find((a) => ((toInt(a.address) ^ toInt(from.address)) & toInt(a.netmask)) === 0);
  return same?.address ?? (from.address.startsWith('127.') ? '127.0.0.1' : v4.find((a) => !a.internal)?.address ?? '127.0.0.1');
}

function answerRmcp(msg: Buffer): Buffer | null {
  const m = decodeRmcp(msg);
  if (m.kind === 'asf') return m.type === ASF_PING ? encodePresencePong(m.tag) : null;
  if (m.completion !== undefined) return null; // a response, not a request
  if (m.netFn === 0x06 && m.cmd === 0x38) return encodeIpmiResponse(m, 0x00, AUTH_CAPABILITIES);
  // Get Session Challenge and everything after it: no user exists on this responder.
  return encodeIpmiResponse(m, m.cmd === 0x39 ? 0x81 : 0xd4, Buffer.alloc(0));
}

export interface BoundDatagram {
  readonly socket: Socket;
  /** Interfaces on which the multicast group could not be joined, with the reason. */
  readonly joinFailures: readonly string[];
}

/** Binds a UDP responder (joining the group for multicast specs); rejects with the bind error. */
export function startDatagramResponder(spec: ListenerSpec): Promise<BoundDatagram> {
  const multicast = spec.transport === 'udp-multicast' && spec.group !== undefined;
  const socket = createSocket({ type: 'udp4', reuseAddr: multicast });
  const answer = answerFor(spec);
  socket.on('message', (msg, from) => {
    if (msg.length > MAX_DATAGRAM) return;
    let reply: Buffer | null;
    try {
      reply = answer(msg, from, socket);
    } catch {
      return; // garbage: a real service stays silent too
    }
    if (reply !== null) socket.send(reply, from.port, from.address, () => undefined);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    // Group traffic is delivered only to sockets bound to the wildcard (or the group) address.
    socket.bind(spec.port, multicast ? '0.0.0.0' : spec.address, () => {
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      const joinFailures: string[] = [];
      if (multicast && spec.group !== undefined) {
        for (const iface of joinInterfaces(spec.address)) {
          try {
            socket.addMembership(spec.group, iface);
          } catch (err) {
            joinFailures.push(`${iface}: ${(err as Error).message}`);
          }
        }
      }
      resolve({ socket, joinFailures });
    });
  });
}

/** The bound address itself, or every IPv4 address of the host for a wildcard bind. */
function joinInterfaces(bind: string): string[] {
  if (bind !== '0.0.0.0') return [bind];
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).filter((a) => a.family === 'IPv4').map((a) => a.address));
}
