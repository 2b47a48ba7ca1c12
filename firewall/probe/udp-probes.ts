// The initiator side of each UDP catalog protocol, run once: SNMP get and inform, the RMCP presence
// ping, NetBIOS node status and direct datagram, the DCE/RPC connectionless request, and the smp-lab
// probe handshake (unicast, or to the multicast group on the interface facing the peer).
import { randomBytes, randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import type { ResolvedFlow } from '../../shared/catalog-types.js';
import { CL_REJECT, decodeClHeader, encodeClRequest } from '../../shared/protocol/dcerpc.js';
import {
  decodeDatagram, decodeNodeStatusAnswer, encodeDirectDatagram, encodeNodeStatusQuery, DGM_ERROR,
} from '../../shared/protocol/netbios.js';
import { encodeProbeRequest, firstLine } from '../../shared/protocol/probe-handshake.js';
import { ASF_PONG, decodeRmcp, encodePresencePing } from '../../shared/protocol/rmcp.js';
import { decodeMessage, encodeGet, encodeInform, PDU_RESPONSE, SYS_DESCR_OID } from '../../shared/protocol/snmp-ber.js';
import { mismatch, pass, skipped, type Verdict } from '../probe-status.js';
import type { ProbeTarget } from './tcp-probes.js';
import { judgeAck } from './tcp-probes.js';
import { udpExchange, type UdpTarget } from './udp-exchange.js';

const COMMUNITY = 'public';
const NEWLINE = Buffer.from('\n');

export async function probeUdpFlow(flow: ResolvedFlow, port: number, t: ProbeTarget): Promise<Verdict> {
  const target: UdpTarget = { host: t.peer, port, timeoutMs: t.timeoutMs };
  switch (flow.protocol) {
    case 'snmp': {
      const id = randomInt(1, 0x7fffffff);
      return udpExchange(target, encodeGet(id, COMMUNITY, [SYS_DESCR_OID]), (msg) => {
        const r = decodeMessage(msg);
        if (r.requestId !== id) return null;
        if (r.pduType !== PDU_RESPONSE || r.errorStatus !== 0) return mismatch(`SNMP answer type 0x${r.pduType.toString(16)}, error ${r.errorStatus}`);
        return pass(`SNMP sysDescr: ${r.varbinds[0]?.text ?? '(none)'}`);
      });
    }
    case 'snmp-trap': {
      const id = randomInt(1, 0x7fffffff);
      return udpExchange(target, encodeInform(id, COMMUNITY), (msg) => {
        const r = decodeMessage(msg);
        if (r.requestId !== id) return null;
        return r.pduType === PDU_RESPONSE ? pass('SNMP InformRequest acknowledged by the notification receiver') : mismatch(`SNMP PDU 0x${r.pduType.toString(16)} to an inform`);
      });
    }
    case 'ipmi':
    case 'asf': {
      const tag = randomInt(0, 255);
      return udpExchange(target, encodePresencePing(tag), (msg) => {
        const m = decodeRmcp(msg);
        if (m.kind !== 'asf' || m.tag !== tag) return null;
        return m.type === ASF_PONG ? pass('RMCP presence pong (ASF/IPMI)') : mismatch(`ASF message type 0x${m.type.toString(16)} to a presence ping`);
      });
    }
    case 'netbios-ns': {
      const id = randomInt(1, 0xffff);
      return udpExchange(target, encodeNodeStatusQuery(id), (msg) => {
        const a = decodeNodeStatusAnswer(msg);
        return a.id === id ? pass(`NetBIOS node status: ${a.names.join(', ') || '(no names)'}`) : null;
      });
    }
    case 'netbios-dgm': {
      const id = randomInt(1, 0xffff);
      const local = await localAddressFor(t.peer);
      return udpExchange(target, encodeDirectDatagram(id, local, 138, 'SMPLABPROBE', 'SMPLAB', Buffer.from('smp-lab probe')), (msg) => {
        const d = decodeDatagram(msg);
        if (d.id !== id) return null;
        return d.type === DGM_ERROR
          ? pass(`NetBIOS datagram service: error 0x${(d.errorCode ?? 0).toString(16)} (destination name not present)`)
          : pass(`NetBIOS datagram service answered (type 0x${d.type.toString(16)})`);
      });
    }
    case 'msrpc': {
      const activity = randomBytes(16);
      return udpExchange(target, encodeClRequest(activity), (msg) => {
        const h = decodeClHeader(msg);
        if (!h.activity.equals(activity)) return null;
        return pass(h.ptype === CL_REJECT ? 'DCE/RPC (connectionless) reject: endpoint mapper present' : `DCE/RPC (connectionless) packet type ${h.ptype}`);
      });
    }
    default:
      return handshake(flow, target, t);
  }
}

async function handshake(flow: ResolvedFlow, target: UdpTarget, t: ProbeTarget): Promise<Verdict> {
  const nonce = randomBytes(6).toString('hex');
  let to = target;
  if (flow.transport === 'udp-multicast' && flow.group !== undefined) {
    const iface = await localAddressFor(t.peer);
    if (!sameSubnet(iface, t.peer)) {
      return skipped(`peer ${t.peer} is not on the subnet of ${iface}: a TTL-1 multicast to ${flow.group} cannot reach it across a router (SMP uses a relay agent on the target subnet)`);
    }
    to = { ...target, multicast: { group: flow.group, iface } };
  }
  const v = await udpExchange(to, encodeProbeRequest({ flowId: flow.id, nonce }), (msg, from) => {
    const line = firstLine(msg.includes(0x0a) ? msg : Buffer.concat([msg, NEWLINE]));
    if (line === null) return null;
    const verdict = judgeAck(flow, line, nonce);
    return to.multicast && verdict.status === 'pass' ? pass(`group message to ${flow.group ?? ''} arrived; ${from.address} answered by unicast (${verdict.reason})`) : verdict;
  });
  return v;
}

/** The local address the kernel would use to reach `peer` (no packet is sent). */
export function localAddressFor(peer: string): Promise<string> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.on('error', () => {
      s.close();
      resolve('0.0.0.0');
    });
    s.connect(9, peer, (err?: Error) => {
      // A failed lookup comes here, not to 'error'; the flow's own exchange then reports it.
      const a = err ? '0.0.0.0' : s.address().address;
      s.close();
      resolve(a);
    });
  });
}

const toInt = (ip: string): number => ip.split('.').reduce((n, p) => ((n << 8) | (Number(p) & 0xff)) >>> 0, 0);

export function sameSubnet(local: string, peer: string): boolean {
  if (local.startsWith('127.') && peer.startsWith('127.')) return true;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family !== 'IPv4' || a.address !== local) continue;
      const mask = toInt(a.netmask);
      return ((toInt(local) & mask) >>> 0) === ((toInt(peer) & mask) >>> 0);
    }
  }
  return false;
}
