// GUIDs as SMP writes them: `{8B031AC8-AB06-4460-998C-94837C9C4AE8}` on the wire, with or without
// braces and in any case on input. Canonical form inside smp-lab: upper case, no braces.
// Pure: never generates randomness implicitly except in newGuid().
import { randomUUID } from 'node:crypto';
import { smpError } from '../errors.js';

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** Type GUID of a computer resource (public: seen in NSE samples and registration answers). */
export const COMPUTER_TYPE_GUID = '493435F7-3B17-4C4C-B07F-C23E7AB7781F';

/** Canonical form (upper case, no braces) or a BAD_GUID error naming the field. */
export function parseGuid(value: unknown, field = 'guid'): string {
  if (typeof value !== 'string' || value.length > 40) {
    throw smpError('BAD_GUID', `${field}: expected a GUID such as {8B031AC8-AB06-4460-998C-94837C9C4AE8}`, { field });
  }
  const m = GUID.exec(value.trim());
  const inner = m?.[1];
  if (inner === undefined || (value.trim().startsWith('{') !== value.trim().endsWith('}'))) {
    throw smpError('BAD_GUID', `${field}: ${JSON.stringify(value.slice(0, 40))} is not a GUID`, { field });
  }
  return inner.toUpperCase();
}

export function isGuid(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    parseGuid(value);
    return true;
  } catch {
    return false;
  }
}

/** Wire form with braces. */
export const braced = (guid: string): string => `{${guid}}`;

export const newGuid = (): string => randomUUID().toUpperCase();
