// smp-lab compression v1 (the real NS algorithm for `Compress=1` answers and compressed NSE posts is
// not public): 4-byte magic "SLZ1", 4-byte big-endian uncompressed length, then a raw DEFLATE
// stream (RFC 1951). Decoding never inflates past the declared length or the caller's limit.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { smpError } from '../errors.js';

export const LAB_COMPRESSION_MAGIC = Buffer.from('SLZ1', 'latin1');
const HEADER = 8;

export const isLabCompressed = (buf: Buffer): boolean =>
  buf.length >= HEADER && buf.subarray(0, 4).equals(LAB_COMPRESSION_MAGIC);

export function labCompress(data: Buffer | string, level = 6): Buffer {
  const raw = typeof data === 'string' ? Buffer.from(data) : data;
  const header = Buffer.alloc(HEADER);
  LAB_COMPRESSION_MAGIC.copy(header, 0);
  header.writeUInt32BE(raw.length, 4);
  return Buffer.concat([header, deflateRawSync(raw, { level })]);
}

export function labDecompress(buf: Buffer, maxBytes: number): Buffer {
  if (!isLabCompressed(buf)) throw smpError('BAD_FRAME', 'compressed body does not start with the SLZ1 header');
  const declared = buf.readUInt32BE(4);
  if (declared > maxBytes) {
    throw smpError('TOO_LARGE', `compressed body declares ${declared} bytes; at most ${maxBytes} are accepted`, { declared, limit: maxBytes });
  }
  let out: Buffer;
  try {
    out = inflateRawSync(buf.subarray(HEADER), { maxOutputLength: Math.max(1, declared) });
  } catch (err) {
    throw smpError('BAD_FRAME', `compressed body does not inflate: ${(err as Error).message}`, {}, err);
  }
  if (out.length !== declared) {
    throw smpError('BAD_FRAME', `compressed body inflates to ${out.length} bytes but declares ${declared}`);
  }
  return out;
}
