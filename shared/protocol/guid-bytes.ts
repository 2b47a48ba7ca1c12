// GUIDs on smp-lab's binary channels: 16 bytes in the order the hex digits are written (not the
// Windows mixed-endian layout); text in the canonical form of guid.ts (upper case, no braces).
// Pure; rejects anything that is not a GUID.
import { smpError } from '../errors.js';
import { isGuid as isGuidText, parseGuid } from './guid.js';

/** Canonical text form (upper case, dashes, no braces) or a BAD_GUID error. */
export const normalizeGuid = (text: string): string => parseGuid(text);
export const isGuid = (text: string): boolean => isGuidText(text);

export function guidToBytes(text: string): Buffer {
  return Buffer.from(parseGuid(text).replace(/-/g, ''), 'hex');
}

export function bytesToGuid(b: Buffer): string {
  if (b.length !== 16) throw smpError('BAD_GUID', `a binary GUID has 16 bytes, not ${b.length}`);
  const h = b.toString('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
