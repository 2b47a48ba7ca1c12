// Codec of smp-lab package multicast v1 (docs/protocol.md section 3): the announce, data and done
// datagrams a multicast master agent sends to its subnet on the package multicast port. Pure: bytes
// in, typed values out; input is bounded by one datagram and every bad byte is a typed SmpError.
import { smpError } from '../errors.js';
import { guidFromBytes, guidToBytes } from './tickle.js';

export const PKG_MULTICAST_MAGIC = Buffer.from('AeXM', 'ascii');
export const PKG_MULTICAST_VERSION = 1;

export const PkgKind = { ANNOUNCE: 1, DATA: 2, DONE: 3 } as const;
export type PkgKindCode = (typeof PkgKind)[keyof typeof PkgKind];

/** Largest block a master may send (section 3). */
export const MAX_BLOCK_SIZE = 32_768;
export const HEADER_BYTES = 26;
/** Largest datagram of v1: a data header and a full block. Anything longer is refused before parsing. */
export const MAX_PKG_DATAGRAM = HEADER_BYTES + 4 + MAX_BLOCK_SIZE;
export const MAX_MASTER_NAME = 255;

interface Header {
  /** Upper-case GUID text without braces. */
  readonly packageGuid: string;
  /** The snapshot's version of the package. */
  readonly version: number;
}

export interface Announce extends Header {
  readonly kind: typeof PkgKind.ANNOUNCE;
  /** Package size in bytes (its snapshot files concatenated in snapshot order). */
  readonly size: number;
  readonly blockSize: number;
  /** Election score of the master: a master hearing a higher one for the same package stops. */
  readonly rank: number;
  /** The master's computer name (printable ASCII). */
  readonly master: string;
}

export interface Data extends Header {
  readonly kind: typeof PkgKind.DATA;
  readonly block: number;
  /** The block's bytes (a view into the datagram, not a copy). */
  readonly bytes: Buffer;
}

export interface Done extends Header {
  readonly kind: typeof PkgKind.DONE;
}

export type PkgMessage = Announce | Data | Done;

const bad = (msg: string, details: Record<string, unknown> = {}) => smpError('BAD_FRAME', `package multicast: ${msg}`, details);

const isU32 = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff;

function header(m: Header, kind: PkgKindCode, bodyBytes: number): Buffer {
  if (!isU32(m.version)) throw smpError('BAD_INPUT', `package version ${m.version} is not a u32`);
  const out = Buffer.alloc(HEADER_BYTES + bodyBytes);
  PKG_MULTICAST_MAGIC.copy(out, 0);
  out[4] = PKG_MULTICAST_VERSION;
  out[5] = kind;
  guidToBytes(m.packageGuid, out, 6);
  out.writeUInt32LE(m.version, 22);
  return out;
}

export function encodePkgMulticast(m: PkgMessage): Buffer {
  switch (m.kind) {
    case PkgKind.ANNOUNCE: {
      if (!Number.isSafeInteger(m.size) || m.size < 0) throw smpError('BAD_INPUT', `package size ${m.size} is not a size`);
      if (!Number.isInteger(m.blockSize) || m.blockSize < 1 || m.blockSize > MAX_BLOCK_SIZE) {
        throw smpError('BAD_INPUT', `block size ${m.blockSize} is not within 1..${MAX_BLOCK_SIZE}`);
      }
      if (!isU32(m.rank)) throw smpError('BAD_INPUT', `rank ${m.rank} is not a u32`);
      if (!/^[\x21-\x7e]{1,255}$/.test(m.master)) throw smpError('BAD_INPUT', `master name ${JSON.stringify(m.master)} is not 1-255 printable ASCII bytes`);
      const out = header(m, PkgKind.ANNOUNCE, 8 + 4 + 4 + 2 + m.master.length);
      out.writeBigUInt64LE(BigInt(m.size), 26);
      out.writeUInt32LE(m.blockSize, 34);
      out.writeUInt32LE(m.rank, 38);
      out.writeUInt16LE(m.master.length, 42);
      out.write(m.master, 44, 'latin1');
      return out;
    }
    case PkgKind.DATA: {
      if (!isU32(m.block)) throw smpError('BAD_INPUT', `block number ${m.block} is not a u32`);
      if (m.bytes.length < 1 || m.bytes.length > MAX_BLOCK_SIZE) throw smpError('BAD_INPUT', `a block has 1..${MAX_BLOCK_SIZE} bytes, not ${m.bytes.length}`);
      const out = header(m, PkgKind.DATA, 4 + m.bytes.length);
      out.writeUInt32LE(m.block, 26);
      m.bytes.copy(out, 30);
      return out;
    }
    case PkgKind.DONE:
      return header(m, PkgKind.DONE, 0);
    default:
      throw smpError('BAD_INPUT', `unknown package multicast kind ${(m as { kind: unknown }).kind as string}`);
  }
}

/** True when the datagram starts with the package multicast magic (cheap routing check). */
export const isPkgMulticast = (buf: Buffer): boolean => buf.length >= 4 && buf.compare(PKG_MULTICAST_MAGIC, 0, 4, 0, 4) === 0;

/** One datagram, whole: a value or a typed error (TOO_LARGE, BAD_FRAME, UNSUPPORTED_VERSION, UNKNOWN_MESSAGE). */
export function decodePkgMulticast(buf: Buffer): PkgMessage {
  if (buf.length > MAX_PKG_DATAGRAM) throw smpError('TOO_LARGE', `package multicast datagram of ${buf.length} bytes (at most ${MAX_PKG_DATAGRAM})`);
  if (buf.length < HEADER_BYTES) throw bad(`datagram of ${buf.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  if (!isPkgMulticast(buf)) throw bad('wrong magic (not AeXM)');
  if (buf[4] !== PKG_MULTICAST_VERSION) throw smpError('UNSUPPORTED_VERSION', `package multicast version ${buf[4]!}`, { version: buf[4] });
  const kind = buf[5]!;
  const h: Header = { packageGuid: guidFromBytes(buf, 6), version: buf.readUInt32LE(22) };
  const body = buf.length - HEADER_BYTES;
  switch (kind) {
    case PkgKind.ANNOUNCE: {
      if (body < 18) throw bad('announce body too short');
      const size = buf.readBigUInt64LE(26);
      if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw bad('announced size out of range');
      const blockSize = buf.readUInt32LE(34);
      if (blockSize < 1 || blockSize > MAX_BLOCK_SIZE) throw bad(`block size ${blockSize} is not within 1..${MAX_BLOCK_SIZE}`);
      const nameLen = buf.readUInt16LE(42);
      if (nameLen < 1 || nameLen > MAX_MASTER_NAME) throw bad(`master name of ${nameLen} bytes`);
      if (body !== 18 + nameLen) throw bad('announce length does not match its name length');
      const master = buf.toString('latin1', 44, 44 + nameLen);
      if (!/^[\x21-\x7e]+$/.test(master)) throw bad('master name is not printable ASCII');
      return { kind: PkgKind.ANNOUNCE, ...h, size: Number(size), blockSize, rank: buf.readUInt32LE(38), master };
    }
    case PkgKind.DATA:
      if (body < 5) throw bad('data datagram without block bytes');
      return { kind: PkgKind.DATA, ...h, block: buf.readUInt32LE(26), bytes: buf.subarray(30) };
    case PkgKind.DONE:
      if (body !== 0) throw bad('done carries no body');
      return { kind: PkgKind.DONE, ...h };
    default:
      throw smpError('UNKNOWN_MESSAGE', `package multicast kind ${kind}`, { kind });
  }
}

/** Blocks of a package of `size` bytes in `blockSize` pieces (the last may be short; 0 for an empty package). */
export const blockCount = (size: number, blockSize: number): number => Math.ceil(size / blockSize);
