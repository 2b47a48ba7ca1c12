// Codec of the agent tickle / power-management messages on TCP 52028 and UDP 52029 (docs/protocol.md
// section 2). Keeps the public prefix of the one observed capture (`AeX1`, server name, GUID, MAC as
// UTF-16LE text); everything after it is smp-lab's own framing v1. Pure: bytes in, typed values out.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { smpError } from '../errors.js';

export const TICKLE_MAGIC = Buffer.from('AeX1', 'ascii');

/** Message types (u32 LE at offset 4). 638 is the value of the observed relay wake request. */
export const TickleType = {
  /** Ask the agent owning the connection's address (or the GUID) to act on the commands. (smp-lab) */
  TICKLE: 0x270,
  /** Multicast tickle: only the agents listed (or all, with FLAG_ALL) act. (smp-lab) */
  MULTICAST: 0x271,
  /** Relay wake-on-LAN request: the relay sends a magic packet for the MAC to its subnet. (observed) */
  RELAY_WAKE: 0x27e,
} as const;
export type TickleTypeCode = (typeof TickleType)[keyof typeof TickleType];

/** Command bits (u32 LE at offset 8). */
export const Command = {
  SEND_BASIC_INVENTORY: 0x1,
  REQUEST_CONFIGURATION: 0x2,
  /** smp-lab extension: the simulated computer goes to sleep until a magic packet wakes it. */
  POWER_OFF: 0x4,
  /**
   * smp-lab extension: power-management wake. On a multicast message the simulated NIC treats every
   * listed MAC/GUID/address as if a magic packet had arrived for it; on TCP it means nothing (the
   * computer that answers is awake).
   */
  WAKE: 0x8,
} as const;
export const KNOWN_COMMANDS = 0xf;

/** Flag bits (u8 at offset 12; the capture has 0). */
export const Flag = { HMAC: 0x1, ALL: 0x2 } as const;

export const MAX_SERVER_NAME = 255;
export const HMAC_LENGTH = 32;
/** Largest message accepted on either transport (a UDP datagram's maximum payload). */
export const MAX_TICKLE_BYTES = 65507;
const GUID_BYTES = 16;
const MAC_TEXT_BYTES = 34; // "00-0C-29-F5-22-32" in UTF-16LE

export interface TickleTargets {
  readonly ips: readonly string[];
  readonly guids: readonly string[];
  /** 12 hex digits upper-case, no separators. */
  readonly macs: readonly string[];
}

export interface TickleMessage {
  readonly type: TickleTypeCode;
  readonly commands: number;
  readonly serverName: string;
  /** Upper-case GUID text without braces; all zeros when the message names none. */
  readonly guid: string;
  /** RELAY_WAKE only: the MAC to wake, "00-0C-29-F5-22-32". */
  readonly mac?: string;
  /** MULTICAST only. */
  readonly targets?: TickleTargets;
  readonly all?: boolean;
}

export interface DecodedTickle extends TickleMessage {
  /** Whether an HMAC trailer was present (check it with verifyTickleHmac). */
  readonly signed: boolean;
  /** Bytes consumed (the whole message). */
  readonly length: number;
}

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

const bad = (msg: string, details: Record<string, unknown> = {}) => smpError('BAD_FRAME', `tickle: ${msg}`, details);

/** .NET Guid.ToByteArray layout: first three fields little-endian, as a Windows sender writes it. */
export function guidToBytes(guid: string, out: Buffer, offset: number): void {
  const hex = guid.replace(/[{}-]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw smpError('BAD_GUID', `not a GUID: ${JSON.stringify(guid)}`);
  const b = Buffer.from(hex, 'hex');
  out.writeUInt32LE(b.readUInt32BE(0), offset);
  out.writeUInt16LE(b.readUInt16BE(4), offset + 4);
  out.writeUInt16LE(b.readUInt16BE(6), offset + 6);
  b.copy(out, offset + 8, 8, 16);
}

export function guidFromBytes(buf: Buffer, offset: number): string {
  const h = (n: number, w: number) => n.toString(16).padStart(w, '0');
  const tail = buf.subarray(offset + 8, offset + 16).toString('hex');
  return `${h(buf.readUInt32LE(offset), 8)}-${h(buf.readUInt16LE(offset + 4), 4)}-${h(buf.readUInt16LE(offset + 6), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}`.toUpperCase();
}

function macText(mac: string): string {
  const hex = mac.replace(/[-:.]/g, '').toUpperCase();
  if (!/^[0-9A-F]{12}$/.test(hex)) throw bad(`not a MAC address: ${JSON.stringify(mac)}`);
  return hex.match(/../g)!.join('-');
}

function ipv4Bytes(ip: string, out: Buffer, offset: number): void {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw bad(`not an IPv4 address: ${JSON.stringify(ip)}`);
  for (let i = 0; i < 4; i++) out[offset + i] = Number(parts[i]);
}

export interface EncodeOptions {
  /** Shared key: appends HMAC-SHA256 over the message (the documented smp-lab extension). */
  readonly hmacKey?: Buffer;
}

export function encodeTickle(m: TickleMessage, opts: EncodeOptions = {}): Buffer {
  const name = Buffer.from(m.serverName, 'latin1');
  if (name.length < 1 || name.length > MAX_SERVER_NAME || !/^[\x21-\x7e]+$/.test(m.serverName)) {
    throw bad(`server name must be 1-${MAX_SERVER_NAME} printable ASCII characters`, { serverName: m.serverName });
  }
  if ((m.commands & ~KNOWN_COMMANDS) !== 0 || m.commands < 0) throw bad(`unknown command bits 0x${m.commands.toString(16)}`);
  const body = encodeBody(m);
  const headLen = 13 + name.length + 1 + GUID_BYTES;
  const out = Buffer.alloc(headLen + body.length + (opts.hmacKey ? HMAC_LENGTH : 0));
  TICKLE_MAGIC.copy(out, 0);
  out.writeUInt32LE(m.type, 4);
  out.writeUInt32LE(m.commands >>> 0, 8);
  out[12] = (opts.hmacKey ? Flag.HMAC : 0) | (m.type === TickleType.MULTICAST && m.all ? Flag.ALL : 0);
  name.copy(out, 13);
  guidToBytes(m.guid, out, 14 + name.length);
  body.copy(out, headLen);
  if (out.length > MAX_TICKLE_BYTES) throw smpError('FRAME_TOO_LARGE', `tickle of ${out.length} bytes exceeds ${MAX_TICKLE_BYTES}`);
  if (opts.hmacKey) createHmac('sha256', opts.hmacKey).update(out.subarray(0, out.length - HMAC_LENGTH)).digest().copy(out, out.length - HMAC_LENGTH);
  return out;
}

function encodeBody(m: TickleMessage): Buffer {
  switch (m.type) {
    case TickleType.TICKLE:
      return Buffer.alloc(0);
    case TickleType.RELAY_WAKE:
      return Buffer.from(macText(m.mac ?? ''), 'utf16le');
    case TickleType.MULTICAST: {
      const t = m.targets ?? { ips: [], guids: [], macs: [] };
      for (const list of [t.ips, t.guids, t.macs]) if (list.length > 0xffff) throw smpError('FRAME_TOO_LARGE', 'tickle: more than 65535 targets of one kind');
      const out = Buffer.alloc(6 + t.ips.length * 4 + t.guids.length * GUID_BYTES + t.macs.length * 6);
      let o = 0;
      out.writeUInt16LE(t.ips.length, o); o += 2;
      for (const ip of t.ips) { ipv4Bytes(ip, out, o); o += 4; }
      out.writeUInt16LE(t.guids.length, o); o += 2;
      for (const g of t.guids) { guidToBytes(g, out, o); o += GUID_BYTES; }
      out.writeUInt16LE(t.macs.length, o); o += 2;
      for (const mac of t.macs) { Buffer.from(macText(mac).replace(/-/g, ''), 'hex').copy(out, o); o += 6; }
      return out;
    }
    default:
      throw bad(`unknown message type ${String(m.type)}`);
  }
}

/**
 * Decode one message from the start of `buf`. Returns null while `buf` holds only a prefix of a
 * valid message (stream transports wait for more); throws BAD_FRAME / UNKNOWN_MESSAGE / FRAME_TOO_LARGE.
 */
export function tryDecodeTickle(buf: Buffer): DecodedTickle | null {
  const avail = Math.min(buf.length, MAX_TICKLE_BYTES);
  for (let i = 0; i < Math.min(4, avail); i++) if (buf[i] !== TICKLE_MAGIC[i]) throw bad('missing AeX1 magic');
  if (avail < 13) return null;
  const type = buf.readUInt32LE(4);
  if (type !== TickleType.TICKLE && type !== TickleType.MULTICAST && type !== TickleType.RELAY_WAKE) {
    throw smpError('UNKNOWN_MESSAGE', `tickle: unknown message type 0x${type.toString(16)}`);
  }
  const commands = buf.readUInt32LE(8);
  const flags = buf[12]!;
  if ((flags & ~(Flag.HMAC | Flag.ALL)) !== 0) throw bad(`unknown flag bits 0x${flags.toString(16)}`);
  const nul = buf.subarray(13, Math.min(avail, 13 + MAX_SERVER_NAME + 1)).indexOf(0);
  if (nul < 0) {
    if (avail >= 13 + MAX_SERVER_NAME + 1) throw bad('server name not terminated within 255 bytes');
    return null;
  }
  if (nul === 0) throw bad('empty server name');
  const serverName = buf.toString('latin1', 13, 13 + nul);
  let o = 13 + nul + 1;
  if (avail < o + GUID_BYTES) return null;
  const guid = guidFromBytes(buf, o);
  o += GUID_BYTES;
  const body = decodeBody(type as TickleTypeCode, buf, o, avail);
  if (body === null) return null;
  const signed = (flags & Flag.HMAC) !== 0;
  const length = body.end + (signed ? HMAC_LENGTH : 0);
  if (avail < length) {
    if (buf.length >= MAX_TICKLE_BYTES) throw smpError('FRAME_TOO_LARGE', `tickle longer than ${MAX_TICKLE_BYTES} bytes`);
    return null;
  }
  return { type: type as TickleTypeCode, commands, serverName, guid, signed, length, ...body.fields,
    ...(type === TickleType.MULTICAST ? { all: (flags & Flag.ALL) !== 0 } : {}) };
}

interface Body { end: number; fields: { mac?: string; targets?: TickleTargets } }

function decodeBody(type: TickleTypeCode, buf: Buffer, o: number, avail: number): Body | null {
  if (type === TickleType.TICKLE) return { end: o, fields: {} };
  if (type === TickleType.RELAY_WAKE) {
    if (avail < o + MAC_TEXT_BYTES) return null;
    const text = buf.toString('utf16le', o, o + MAC_TEXT_BYTES);
    if (!/^[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){5}$/.test(text)) throw bad('relay wake MAC is not XX-XX-XX-XX-XX-XX UTF-16LE text');
    return { end: o + MAC_TEXT_BYTES, fields: { mac: text.toUpperCase() } };
  }
  const lists: string[][] = [];
  for (const [width, read] of [[4, readIp], [GUID_BYTES, guidFromBytes], [6, readMac]] as const) {
    if (avail < o + 2) return null;
    const n = buf.readUInt16LE(o);
    o += 2;
    if (o + n * width > MAX_TICKLE_BYTES) throw smpError('FRAME_TOO_LARGE', `tickle: ${n} targets do not fit in one message`);
    if (avail < o + n * width) return null;
    const list: string[] = new Array<string>(n);
    for (let i = 0; i < n; i++) list[i] = read(buf, o + i * width);
    lists.push(list);
    o += n * width;
  }
  return { end: o, fields: { targets: { ips: lists[0]!, guids: lists[1]!, macs: lists[2]! } } };
}

const readIp = (b: Buffer, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
const readMac = (b: Buffer, o: number) => b.toString('hex', o, o + 6).toUpperCase();

/** Decode a whole datagram: exactly one message, no trailing bytes. */
export function decodeTickleDatagram(buf: Buffer): DecodedTickle {
  if (buf.length > MAX_TICKLE_BYTES) throw smpError('FRAME_TOO_LARGE', `datagram of ${buf.length} bytes`);
  const m = tryDecodeTickle(buf);
  if (m === null) throw bad('truncated message', { bytes: buf.length });
  if (m.length !== buf.length) throw bad(`${buf.length - m.length} bytes after the message`);
  return m;
}

/** True when the message carries an HMAC trailer made with `key` over the bytes before it. */
export function verifyTickleHmac(raw: Buffer, m: DecodedTickle, key: Buffer): boolean {
  if (!m.signed) return false;
  const end = m.length - HMAC_LENGTH;
  const want = createHmac('sha256', key).update(raw.subarray(0, end)).digest();
  return timingSafeEqual(want, raw.subarray(end, m.length));
}
