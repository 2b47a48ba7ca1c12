// GUIDs on smp-lab's binary channels: 16 bytes in the order the hex digits are written (not the
// Windows mixed-endian layout), and the canonical upper-case text form without braces.
// Pure; rejects anything that is not exactly 32 hex digits.
import { smpError } from '../errors.js';

const GUID_TEXT = /^\{?([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})\}?$/;

/** Canonical text form (upper case, dashes, no braces) or a BAD_GUID error. */
export function normalizeGuid(text: string): string {
  const m = GUID_TEXT.exec(text.trim());
  if (m === null) throw smpError('BAD_GUID', `not a GUID: ${JSON.stringify(text.slice(0, 64))}`, { value: text.slice(0, 64) });
  return `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toUpperCase();
}

export function isGuid(text: string): boolean {
  return GUID_TEXT.test(text.trim());
}

export function guidToBytes(text: string): Buffer {
  return Buffer.from(normalizeGuid(text).replace(/-/g, ''), 'hex');
}

export function bytesToGuid(b: Buffer): string {
  if (b.length !== 16) throw smpError('BAD_GUID', `a binary GUID has 16 bytes, not ${b.length}`);
  const h = b.toString('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
