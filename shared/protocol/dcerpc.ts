// DCE/RPC headers (public, DCE 1.1 / MS-RPCE) for 135/tcp and 135/udp: the connection-oriented
// bind and bind_nak, and the connectionless request and reject. Enough for an endpoint-mapper
// presence check; never a full RPC runtime. Pure and bounded.
import { randomBytes } from 'node:crypto';
import { smpError } from '../errors.js';

export const CO_BIND = 11;
export const CO_BIND_ACK = 12;
export const CO_BIND_NAK = 13;
export const CL_REQUEST = 0;
export const CL_REJECT = 6;
export const CL_HEADER = 80;
export const RPC_MAX = 4096;
export const NCA_S_UNK_IF = 0x1c010003;
/** Endpoint mapper interface e1af8308-5d1f-11c9-91a4-08002b14a0fa v3, little-endian wire form. */
const EPM = Buffer.from('0883afe11f5dc91191a408002b14a0fa', 'hex');
const NDR = Buffer.from('045d888aeb1cc9119fe808002b104860', 'hex');

const bad = (msg: string) => smpError('BAD_FRAME', `dcerpc: ${msg}`);

function coHeader(ptype: number, length: number, callId: number): Buffer {
  const h = Buffer.alloc(16);
  h.set([5, 0, ptype, 0x03, 0x10, 0, 0, 0]);
  h.writeUInt16LE(length, 8);
  h.writeUInt32LE(callId >>> 0, 12);
  return h;
}

export function encodeBind(callId: number): Buffer {
  const body = Buffer.alloc(56);
  body.writeUInt16LE(4280, 0);
  body.writeUInt16LE(4280, 2);
  body[8] = 1; // one context
  body.writeUInt16LE(0, 12);
  body[14] = 1;
  EPM.copy(body, 16);
  body.writeUInt32LE(3, 32);
  NDR.copy(body, 36);
  body.writeUInt32LE(2, 52);
  return Buffer.concat([coHeader(CO_BIND, 72, callId), body]);
}

/** bind_nak "protocol version not supported", the shape Windows answers unknown binds with. */
export function encodeBindNak(callId: number): Buffer {
  return Buffer.concat([coHeader(CO_BIND_NAK, 22, callId), Buffer.from([4, 0, 1, 5, 0, 0])]);
}

export interface CoHeader {
  readonly ptype: number;
  readonly length: number;
  readonly callId: number;
}

/** Connection-oriented header, or null when fewer than 16 bytes are there. */
export function decodeCoHeader(buf: Buffer): CoHeader | null {
  if (buf.length < 16) return null;
  if (buf[0] !== 5) throw bad(`connection-oriented version ${buf[0] ?? 0} is not 5`);
  const length = buf.readUInt16LE(8);
  if (length < 16 || length > RPC_MAX) throw bad(`fragment length ${length}`);
  return { ptype: buf[2] ?? 0, length, callId: buf.readUInt32LE(12) };
}

export function encodeClRequest(activity: Buffer = randomBytes(16)): Buffer {
  const h = Buffer.alloc(CL_HEADER);
  h.set([4, CL_REQUEST, 0x08, 0, 0x10, 0, 0, 0]); // idempotent; little-endian NDR
  EPM.copy(h, 24);
  activity.copy(h, 40, 0, 16);
  h.writeUInt32LE(3, 60); // interface version
  h.writeUInt16LE(2, 68); // opnum ept_lookup
  h.writeUInt16LE(0xffff, 70);
  h.writeUInt16LE(0xffff, 72);
  return h;
}

export interface ClHeader {
  readonly ptype: number;
  readonly activity: Buffer;
  readonly seq: number;
}

export function decodeClHeader(buf: Buffer): ClHeader {
  if (buf.length < CL_HEADER || buf.length > RPC_MAX) throw bad(`connectionless packet of ${buf.length} bytes`);
  if (buf[0] !== 4) throw bad(`connectionless version ${buf[0] ?? 0} is not 4`);
  return { ptype: buf[1] ?? 0, activity: Buffer.from(buf.subarray(40, 56)), seq: buf.readUInt32LE(64) };
}

/** Connectionless reject "unknown interface" for a request (same activity and sequence). */
export function encodeClReject(req: Buffer): Buffer {
  const h = Buffer.from(req.subarray(0, CL_HEADER));
  h[1] = CL_REJECT;
  h[2] = 0;
  h.writeUInt16LE(4, 74);
  const status = Buffer.alloc(4);
  status.writeUInt32LE(NCA_S_UNK_IF, 0);
  return Buffer.concat([h, status]);
}
