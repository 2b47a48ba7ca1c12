// Codec of the standard wake-on-LAN magic packet (public): 6 bytes 0xFF then the target MAC 16 times,
// optionally followed by a 4- or 6-byte SecureOn password. What a stock `wakeonlan` or `etherwake`
// sends; the decoder finds the sync stream anywhere in a bounded payload and never allocates past it.
import { smpError } from '../errors.js';

export const MAGIC_SYNC = 6;
export const MAGIC_LENGTH = MAGIC_SYNC + 16 * 6; // 102
/** Payloads longer than this are not magic packets (a jumbo frame's worth). */
export const MAX_MAGIC_PAYLOAD = 9000;

export interface MagicPacket {
  /** 12 hex digits, upper-case, no separators. */
  readonly mac: string;
  readonly password?: Buffer;
}

/** `00:11:22:33:44:55`, `00-11-...`, `0011.2233.4455` or 12 bare hex digits. */
export const isMac = (mac: string): boolean => /^[0-9a-fA-F]{12}$/.test(mac.replace(/[-:.]/g, ''));

export function encodeMagicPacket(mac: string, password?: Buffer): Buffer {
  const hex = mac.replace(/[-:.]/g, '');
  if (!isMac(mac)) throw smpError('BAD_INPUT', `not a MAC address: ${JSON.stringify(mac)}`);
  if (password !== undefined && password.length !== 4 && password.length !== 6) {
    throw smpError('BAD_INPUT', 'a SecureOn password is 4 or 6 bytes');
  }
  const m = Buffer.from(hex, 'hex');
  const out = Buffer.alloc(MAGIC_LENGTH + (password?.length ?? 0), 0xff);
  for (let i = 0; i < 16; i++) m.copy(out, MAGIC_SYNC + i * 6);
  password?.copy(out, MAGIC_LENGTH);
  return out;
}

/** The first magic packet in `buf`, or a BAD_INPUT error when there is none. */
export function decodeMagicPacket(buf: Buffer): MagicPacket {
  if (buf.length > MAX_MAGIC_PAYLOAD) throw smpError('TOO_LARGE', `magic packet payload of ${buf.length} bytes`);
  for (let p = 0; p + MAGIC_LENGTH <= buf.length; p++) {
    if (!isSync(buf, p)) continue;
    // Skip extra leading 0xFF (a MAC may itself start with FF bytes only if it is broadcast).
    const macAt = p + MAGIC_SYNC;
    if (repeats(buf, macAt)) {
      const rest = buf.length - (macAt + 96);
      const password = rest === 4 || rest === 6 ? Buffer.from(buf.subarray(macAt + 96)) : undefined;
      return { mac: buf.toString('hex', macAt, macAt + 6).toUpperCase(), ...(password ? { password } : {}) };
    }
  }
  throw smpError('BAD_INPUT', 'no wake-on-LAN magic packet in payload', { bytes: buf.length });
}

function isSync(buf: Buffer, p: number): boolean {
  for (let i = 0; i < MAGIC_SYNC; i++) if (buf[p + i] !== 0xff) return false;
  return true;
}

function repeats(buf: Buffer, at: number): boolean {
  for (let r = 1; r < 16; r++) {
    for (let i = 0; i < 6; i++) if (buf[at + r * 6 + i] !== buf[at + i]) return false;
  }
  return true;
}

export const isMagicPacket = (buf: Buffer): boolean => buf.length >= MAGIC_LENGTH && isSync(buf, 0);
