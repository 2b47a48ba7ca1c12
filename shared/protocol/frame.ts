// smp-lab frame layer (v1) shared by the Task Server channels 50124, 50123 and 50121/50122: a fixed
// 8-byte header (2-byte channel magic, version, type, uint32 payload length) and a bounded payload.
// Pure: no sockets, no timers. Never trusts the length field and never buffers more than one frame.
import { smpError } from '../errors.js';

export const FRAME_VERSION = 1;
export const HEADER_SIZE = 8;

/** What distinguishes one channel's frames from another's: magic bytes and the payload bound. */
export interface FrameSpec {
  /** Two ASCII bytes, e.g. "TC" for the task channel. */
  readonly magic: string;
  /** Largest payload a peer may send; anything longer is refused before it is buffered. */
  readonly maxPayload: number;
  readonly name: string;
}

export interface Frame {
  readonly type: number;
  readonly payload: Buffer;
}

export function encodeFrame(spec: FrameSpec, type: number, payload: Buffer = EMPTY): Buffer {
  if (payload.length > spec.maxPayload) {
    throw smpError('FRAME_TOO_LARGE', `${spec.name}: payload of ${payload.length} bytes exceeds ${spec.maxPayload}`);
  }
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  out[0] = spec.magic.charCodeAt(0);
  out[1] = spec.magic.charCodeAt(1);
  out[2] = FRAME_VERSION;
  out[3] = type & 0xff;
  out.writeUInt32BE(payload.length, 4);
  payload.copy(out, HEADER_SIZE);
  return out;
}

const EMPTY = Buffer.alloc(0);

/** Checks one header; returns the payload length or throws a typed error (the caller closes). */
export function checkHeader(spec: FrameSpec, buf: Buffer, at: number): number {
  if (buf[at] !== spec.magic.charCodeAt(0) || buf[at + 1] !== spec.magic.charCodeAt(1)) {
    throw smpError('BAD_FRAME', `${spec.name}: bad magic 0x${buf.subarray(at, at + 2).toString('hex')}`);
  }
  const version = buf[at + 2];
  if (version !== FRAME_VERSION) {
    throw smpError('UNSUPPORTED_VERSION', `${spec.name}: frame version ${String(version)}; this server speaks ${FRAME_VERSION}`);
  }
  const length = buf.readUInt32BE(at + 4);
  if (length > spec.maxPayload) {
    throw smpError('FRAME_TOO_LARGE', `${spec.name}: frame announces ${length} payload bytes; at most ${spec.maxPayload}`);
  }
  return length;
}

/**
 * Incremental frame reader: one per connection, holding only the bytes of the frame in progress
 * (at most HEADER_SIZE + maxPayload). `push` returns the complete frames of a chunk or throws a
 * typed SmpError on the first bad header; after an error the reader must not be used again.
 */
export class FrameReader {
  private pending: Buffer | null = null;

  constructor(private readonly spec: FrameSpec) {}

  /** Bytes held for an incomplete frame (for memory accounting and tests). */
  get buffered(): number {
    return this.pending?.length ?? 0;
  }

  push(chunk: Buffer): Frame[] {
    let buf = chunk;
    if (this.pending !== null) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    const frames: Frame[] = [];
    let at = 0;
    while (buf.length - at >= HEADER_SIZE) {
      const length = checkHeader(this.spec, buf, at);
      if (buf.length - at < HEADER_SIZE + length) break;
      frames.push({ type: buf[at + 3] ?? 0, payload: buf.subarray(at + HEADER_SIZE, at + HEADER_SIZE + length) });
      at += HEADER_SIZE + length;
    }
    if (at < buf.length) {
      // A full header was checked above; check what there is of a partial one now, so garbage is
      // refused without waiting for more bytes.
      if (buf.length - at < HEADER_SIZE) checkPartialHeader(this.spec, buf, at);
      // Copy: never pin the socket's read buffer for a few trailing bytes.
      this.pending = Buffer.from(buf.subarray(at));
    }
    return frames;
  }
}

function checkPartialHeader(spec: FrameSpec, buf: Buffer, at: number): void {
  const have = buf.length - at;
  const magicOk = buf[at] === spec.magic.charCodeAt(0) && (have < 2 || buf[at + 1] === spec.magic.charCodeAt(1));
  if (!magicOk) throw smpError('BAD_FRAME', `${spec.name}: bad magic 0x${buf.subarray(at, at + 2).toString('hex')}`);
  if (have >= 3 && buf[at + 2] !== FRAME_VERSION) {
    throw smpError('UNSUPPORTED_VERSION', `${spec.name}: frame version ${String(buf[at + 2])}; this server speaks ${FRAME_VERSION}`);
  }
}

/** Bounded payload cursor for message decoders: every read checks the remaining length. */
export class PayloadCursor {
  private at = 0;
  constructor(private readonly buf: Buffer, private readonly what: string) {}

  private need(n: number): void {
    if (this.buf.length - this.at < n) {
      throw smpError('BAD_FRAME', `${this.what}: payload ends after ${this.buf.length} bytes; needs ${this.at + n}`);
    }
  }
  u8(): number {
    this.need(1);
    return this.buf[this.at++] ?? 0;
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  /** The rest of the payload as UTF-8 text of at most `max` bytes. */
  restText(max: number): string {
    const rest = this.buf.subarray(this.at);
    if (rest.length > max) throw smpError('BAD_FRAME', `${this.what}: text of ${rest.length} bytes; at most ${max}`);
    this.at = this.buf.length;
    return rest.toString('utf8');
  }
  end(): void {
    if (this.at !== this.buf.length) {
      throw smpError('BAD_FRAME', `${this.what}: ${this.buf.length - this.at} unexpected trailing bytes`);
    }
  }
}
