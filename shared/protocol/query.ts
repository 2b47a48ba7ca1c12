// Reading ASP/ASP.NET query parameters the way those pages do: names match case-insensitively,
// the first value wins, and every value is bounded. Pure.
import { smpError } from '../errors.js';

export type Query = Readonly<Record<string, string | string[] | undefined>>;

/** The first value of a parameter, case-insensitive name; bounded to `max` characters. */
export function queryParam(q: Query, name: string, max = 512): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(q)) {
    if (k.toLowerCase() !== lower) continue;
    const s = Array.isArray(v) ? v[0] : v;
    if (s !== undefined && s.length > max) throw smpError('TOO_LARGE', `parameter ${name} is longer than ${max} characters`, { parameter: name });
    return s;
  }
  return undefined;
}

/** A whole number parameter within [min, max]; undefined when absent. */
export function intParam(q: Query, name: string, min: number, max: number): number | undefined {
  const s = queryParam(q, name, 20);
  if (s === undefined || s === '') return undefined;
  if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > max) {
    throw smpError('BAD_INPUT', `parameter ${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(s)}`, { parameter: name });
  }
  return Number(s);
}
