// SMB2 NEGOTIATE (public, MS-SMB2 2.2.3/2.2.4) inside NetBIOS session framing, for 445/tcp and
// 139/tcp presence checks: the request a probe sends and the answer a responder gives (dialect
// 2.0.2, no security blob). Never a file server. Pure and bounded.
import { randomBytes } from 'node:crypto';
import { smpError } from '../errors.js';

export const SMB_MAX = 4096;
const SMB2_MAGIC = Buffer.from([0xfe, 0x53, 0x4d, 0x42]);
const SMB1_MAGIC = Buffer.from([0xff, 0x53, 0x4d, 0x42]);
export const DIALECT_202 = 0x0202;

const bad = (msg: string) => smpError('BAD_FRAME', `smb: ${msg}`);

function smb2Header(messageId: bigint, response: boolean): Buffer {
  const h = Buffer.alloc(64);
  SMB2_MAGIC.copy(h, 0);
  h.writeUInt16LE(64, 4);
  h.writeUInt16LE(0, 12); // NEGOTIATE
  h.writeUInt16LE(1, 14); // credits
  h.writeUInt32LE(response ? 1 : 0, 16);
  h.writeBigUInt64LE(messageId, 24);
  return h;
}

function session(body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

export function encodeNegotiateRequest(): Buffer {
  const b = Buffer.alloc(36 + 2);
  b.writeUInt16LE(36, 0);
  b.writeUInt16LE(1, 2); // one dialect
  b.writeUInt16LE(1, 4); // signing enabled
  randomBytes(16).copy(b, 12);
  b.writeUInt16LE(DIALECT_202, 36);
  return session(Buffer.concat([smb2Header(0n, false), b]));
}

export function encodeNegotiateResponse(messageId: bigint, serverGuid: Buffer, now = new Date()): Buffer {
  const b = Buffer.alloc(65);
  b.writeUInt16LE(65, 0);
  b.writeUInt16LE(1, 2);
  b.writeUInt16LE(DIALECT_202, 4);
  serverGuid.copy(b, 8, 0, 16);
  b.writeUInt32LE(65536, 28);
  b.writeUInt32LE(65536, 32);
  b.writeUInt32LE(65536, 36);
  const filetime = (BigInt(now.getTime()) + 11644473600000n) * 10000n;
  b.writeBigUInt64LE(filetime, 40);
  b.writeUInt16LE(128, 56);
  return session(Buffer.concat([smb2Header(messageId, true), b]));
}

export interface SmbMessage {
  readonly version: 1 | 2;
  readonly command: number;
  readonly response: boolean;
  readonly messageId: bigint;
  /** Dialect of a NEGOTIATE response (SMB2 only). */
  readonly dialect?: number;
}

/** Length of the first session message in `buf` (header included), or null when incomplete. */
export function sessionMessageLength(buf: Buffer): number | null {
  if (buf.length < 4) return null;
  if (buf[0] !== 0x00) throw bad(`NetBIOS session type 0x${(buf[0] ?? 0).toString(16)} on a direct SMB port`);
  const len = buf.readUInt32BE(0) & 0x1ffff;
  if (len > SMB_MAX) throw bad(`message of ${len} bytes`);
  return buf.length >= 4 + len ? 4 + len : null;
}

/** Decode an SMB1 or SMB2 header from a session message body. */
export function decodeSmb(body: Buffer): SmbMessage {
  if (body.length >= 32 && body.subarray(0, 4).equals(SMB1_MAGIC)) {
    return { version: 1, command: body[4] ?? 0, response: ((body[9] ?? 0) & 0x80) !== 0, messageId: 0n };
  }
  if (body.length < 64 || !body.subarray(0, 4).equals(SMB2_MAGIC)) throw bad('not an SMB1 or SMB2 message');
  const response = (body.readUInt32LE(16) & 1) === 1;
  const command = body.readUInt16LE(12);
  const msg = { version: 2 as const, command, response, messageId: body.readBigUInt64LE(24) };
  if (response && command === 0 && body.length >= 64 + 6) return { ...msg, dialect: body.readUInt16LE(64 + 4) };
  return msg;
}
