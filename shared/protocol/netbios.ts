// NetBIOS over TCP/IP (public, RFC 1001/1002), as far as the firewall responders and probes need:
// name encoding, the name query (NB) and node-status (NBSTAT) queries and answers on 137/udp, the direct datagram and the
// datagram error on 138/udp, and the session request/answer on 139/tcp. Pure and bounded.
import { smpError } from '../errors.js';

export const NBNS_MAX = 576;
export const NB = 0x20;
export const NBSTAT = 0x21;
const CLASS_IN = 0x01;

const bad = (msg: string) => smpError('BAD_FRAME', `netbios: ${msg}`);

/** First-level encoding of a 16-byte NetBIOS name (15 chars padded + suffix) to 34 bytes. */
export function encodeName(name: string, suffix = 0x20): Buffer {
  const raw = Buffer.alloc(16, 0x20);
  if (name === '*') raw.fill(0, 0, 16).write('*', 0, 'ascii');
  else raw.write(name.toUpperCase().slice(0, 15), 0, 'ascii');
  if (name !== '*') raw[15] = suffix;
  const out = Buffer.alloc(34);
  out[0] = 32;
  for (let i = 0; i < 16; i++) {
    const b = raw[i] ?? 0;
    out[1 + i * 2] = 0x41 + (b >> 4);
    out[2 + i * 2] = 0x41 + (b & 0x0f);
  }
  return out; // out[33] stays 0: the root label
}

export function decodeName(buf: Buffer, at: number): { name: string; suffix: number; end: number } {
  if (buf.length < at + 34 || buf[at] !== 32 || buf[at + 33] !== 0) throw bad('bad encoded name');
  const raw = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) {
    const hi = (buf[at + 1 + i * 2] ?? 0) - 0x41;
    const lo = (buf[at + 2 + i * 2] ?? 0) - 0x41;
    if (hi < 0 || hi > 15 || lo < 0 || lo > 15) throw bad('name is not first-level encoded');
    raw[i] = (hi << 4) | lo;
  }
  return { name: raw.subarray(0, 15).toString('latin1').replace(/[ \0]+$/, ''), suffix: raw[15] ?? 0, end: at + 34 };
}

export function encodeNodeStatusQuery(id: number): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(id & 0xffff, 0);
  head.writeUInt16BE(1, 4); // one question
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(NBSTAT, 0);
  tail.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([head, encodeName('*'), tail]);
}

export interface NameQuery {
  readonly id: number;
  readonly response: boolean;
  readonly type: number;
  readonly name: string;
  /** The 16th byte of the name (0x20 file server, 0x00 workstation, ...). */
  readonly suffix: number;
  /** Recursion desired (a query to a name server, as `nmblookup -R` or `-U` sends). */
  readonly recursion: boolean;
}

export function decodeNameQuery(buf: Buffer): NameQuery {
  if (buf.length < 12 + 34 + 4 || buf.length > NBNS_MAX) throw bad(`name service packet of ${buf.length} bytes`);
  const flags = buf.readUInt16BE(2);
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  if (qd + an !== 1) throw bad('expected one question or one answer');
  const n = decodeName(buf, 12);
  return {
    id: buf.readUInt16BE(0), response: (flags & 0x8000) !== 0, type: buf.readUInt16BE(n.end), name: n.name, suffix: n.suffix,
    recursion: (flags & 0x0100) !== 0,
  };
}

export function encodeNameQuery(id: number, name: string, suffix = 0x20, recursion = true): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(id & 0xffff, 0);
  head.writeUInt16BE(recursion ? 0x0110 : 0x0010, 2); // broadcast bit set as nmblookup does; RD on request
  head.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(NB, 0);
  tail.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([head, encodeName(name, suffix), tail]);
}

/**
 * RFC 1002 4.2.13: the positive name query answer (one NB record: unique B-node at `address`), or with
 * `address` null the negative one (NAM_ERR: the name is not registered here).
 */
export function encodeNameQueryAnswer(q: NameQuery, address: string | null): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(q.id & 0xffff, 0);
  head.writeUInt16BE(0x8400 | (q.recursion ? 0x0100 : 0) | (address === null ? 0x0003 : 0), 2); // response, AA, RD, rcode
  head.writeUInt16BE(1, 6);
  const rr = Buffer.alloc(10);
  rr.writeUInt16BE(NB, 0);
  rr.writeUInt16BE(CLASS_IN, 2);
  rr.writeUInt32BE(address === null ? 0 : 300_000, 4); // TTL in seconds
  const data = Buffer.alloc(address === null ? 0 : 6);
  if (address !== null) writeIp(data, 2, address); // NB_FLAGS 0: unique, B-node
  rr.writeUInt16BE(data.length, 8);
  return Buffer.concat([head, encodeName(q.name, q.suffix), rr, data]);
}

/** The addresses of a positive name query answer; empty for a negative one. */
export function decodeNameQueryAnswer(buf: Buffer): { id: number; rcode: number; addresses: string[] } {
  const q = decodeNameQuery(buf);
  if (!q.response || q.type !== NB) throw bad('not a name query answer');
  const rcode = buf.readUInt16BE(2) & 0x000f;
  const at = 12 + 34 + 10;
  const len = buf.length >= at ? buf.readUInt16BE(at - 2) : 0;
  if (buf.length < at + len || len % 6 !== 0) throw bad('name query answer cut short');
  const addresses: string[] = [];
  for (let o = at; o < at + len; o += 6) addresses.push([...buf.subarray(o + 2, o + 6)].join('.'));
  return { id: q.id, rcode, addresses };
}

/** Node status answer listing one unique workstation name; the unit id (MAC) is all zero. */
export function encodeNodeStatusAnswer(id: number, hostName: string): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(id & 0xffff, 0);
  head.writeUInt16BE(0x8400, 2); // response, authoritative
  head.writeUInt16BE(1, 6);
  const rr = Buffer.alloc(10);
  rr.writeUInt16BE(NBSTAT, 0);
  rr.writeUInt16BE(CLASS_IN, 2);
  const entry = Buffer.alloc(18, 0x20);
  entry.write(hostName.toUpperCase().slice(0, 15), 0, 'ascii');
  entry[15] = 0x00;
  entry.writeUInt16BE(0x0400, 16); // active, unique, B-node
  const stats = Buffer.alloc(46);
  const data = Buffer.concat([Buffer.from([1]), entry, stats]);
  rr.writeUInt16BE(data.length, 8);
  return Buffer.concat([head, encodeName('*'), rr, data]);
}

/** Names listed in a node status answer. */
export function decodeNodeStatusAnswer(buf: Buffer): { id: number; names: string[] } {
  const q = decodeNameQuery(buf);
  if (!q.response || q.type !== NBSTAT) throw bad('not a node status answer');
  const at = 12 + 34 + 10;
  const count = buf[at];
  if (count === undefined || buf.length < at + 1 + count * 18) throw bad('node status answer cut short');
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(buf.subarray(at + 1 + i * 18, at + 16 + i * 18).toString('latin1').trim());
  return { id: q.id, names };
}

export const DGM_DIRECT_UNIQUE = 0x10;
export const DGM_ERROR = 0x13;
export const DGM_ERR_NO_NAME = 0x82;

export function encodeDirectDatagram(id: number, srcIp: string, srcPort: number, from: string, to: string, data: Buffer): Buffer {
  const head = Buffer.alloc(14);
  head[0] = DGM_DIRECT_UNIQUE;
  head[1] = 0x02; // first fragment, B node
  head.writeUInt16BE(id & 0xffff, 2);
  writeIp(head, 4, srcIp);
  head.writeUInt16BE(srcPort, 8);
  const body = Buffer.concat([encodeName(from), encodeName(to), data]);
  head.writeUInt16BE(body.length, 10);
  return Buffer.concat([head, body]);
}

export interface Datagram {
  readonly type: number;
  readonly id: number;
  /** Error code of a DATAGRAM ERROR; destination name of a direct datagram. */
  readonly errorCode?: number;
  readonly to?: string;
}

export function decodeDatagram(buf: Buffer): Datagram {
  if (buf.length < 11 || buf.length > NBNS_MAX * 2) throw bad(`datagram of ${buf.length} bytes`);
  const type = buf[0] ?? 0;
  const id = buf.readUInt16BE(2);
  if (type === DGM_ERROR) return { type, id, errorCode: buf[10] ?? 0 };
  if (type < 0x10 || type > 0x12) throw bad(`datagram type 0x${type.toString(16)}`);
  if (buf.length < 14 + 68) throw bad('direct datagram cut short');
  const src = decodeName(buf, 14);
  return { type, id, to: decodeName(buf, src.end).name };
}

export function encodeDatagramError(id: number, srcIp: string, srcPort: number, code = DGM_ERR_NO_NAME): Buffer {
  const b = Buffer.alloc(11);
  b[0] = DGM_ERROR;
  b[1] = 0x02;
  b.writeUInt16BE(id & 0xffff, 2);
  writeIp(b, 4, srcIp);
  b.writeUInt16BE(srcPort, 8);
  b[10] = code;
  return b;
}

function writeIp(b: Buffer, at: number, ip: string): void {
  const parts = ip.split('.').map(Number);
  for (let i = 0; i < 4; i++) b[at + i] = parts.length === 4 ? (parts[i] ?? 0) & 0xff : 0;
}

export const SSN_MESSAGE = 0x00;
export const SSN_REQUEST = 0x81;
export const SSN_POSITIVE = 0x82;
export const SSN_NEGATIVE = 0x83;

export function encodeSessionRequest(called: string, calling: string): Buffer {
  const body = Buffer.concat([encodeName(called), encodeName(calling)]);
  const head = Buffer.from([SSN_REQUEST, 0, 0, 0]);
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([head, body]);
}

/** Session packet header: type and length (17-bit length per RFC 1002). */
export function decodeSessionHeader(buf: Buffer): { type: number; length: number } | null {
  if (buf.length < 4) return null;
  return { type: buf[0] ?? 0, length: (((buf[1] ?? 0) & 1) << 16) | buf.readUInt16BE(2) };
}

export function encodeSessionPacket(type: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.from([type, (body.length >> 16) & 1, 0, 0]);
  head.writeUInt16BE(body.length & 0xffff, 2);
  return Buffer.concat([head, body]);
}
