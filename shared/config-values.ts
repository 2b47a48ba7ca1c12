// Value types of the configuration and their parsers: each turns a flag, environment or file value
// into a typed value or a config error naming the value and what is allowed.
import { isIP } from 'node:net';
import { ROLES, SYSTEMS, type Role, type SystemName } from './catalog-types.js';
import { configError } from './errors.js';

export type OptionType =
  | 'string'
  | 'path'
  | 'int'
  | 'float'
  | 'port'
  | 'bool'
  | 'duration'
  | 'size'
  | 'address'
  | 'host'
  | 'url'
  | 'enum'
  | 'list'
  | 'roles'
  | 'systems'
  | 'port-overrides';

export type ValueOf<T extends OptionType> = T extends 'int' | 'float' | 'port' | 'duration' | 'size'
  ? number
  : T extends 'bool'
    ? boolean
    : T extends 'roles'
      ? Role[]
      : T extends 'systems'
        ? SystemName[]
        : T extends 'list'
          ? string[]
          : T extends 'port-overrides'
            ? Record<string, number>
            : string;

interface Bounds {
  readonly type: OptionType;
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly multiple?: boolean;
}

const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const SIZE = /^(\d+(?:\.\d+)?)\s*([KMG](?:i?B)?|B)?$/i;
const SIZE_UNIT: Record<string, number> = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parse one raw value (string from a flag/env, or any JSON value from a file). */
export function parseValue(source: string, raw: unknown, spec: Bounds): unknown {
  switch (spec.type) {
    case 'list':
    case 'roles':
    case 'systems':
      return parseList(source, raw, spec);
    case 'port-overrides':
      return parseOverrides(source, raw);
    default:
      if (Array.isArray(raw)) {
        if (raw.length === 0) throw configError(source, '', 'a value');
        return parseScalar(source, raw[raw.length - 1], spec);
      }
      return parseScalar(source, raw, spec);
  }
}

function parseScalar(source: string, raw: unknown, spec: Bounds): unknown {
  switch (spec.type) {
    case 'bool':
      return parseBool(source, raw);
    case 'int':
    case 'float':
    case 'port':
      return parseNumber(source, raw, spec);
    case 'duration':
      return parseDuration(source, raw);
    case 'size':
      return parseSize(source, raw, spec);
    case 'address':
      if (typeof raw === 'string' && isIP(raw) !== 0) return raw;
      throw configError(source, raw, 'an IPv4 or IPv6 address such as 127.0.0.1');
    case 'host':
      if (typeof raw === 'string' && (isIP(raw) !== 0 || HOSTNAME.test(raw))) return raw;
      throw configError(source, raw, 'a host name or IP address');
    case 'url':
      return parseUrl(source, raw);
    case 'enum':
      if (typeof raw === 'string' && (spec.choices ?? []).includes(raw)) return raw;
      throw configError(source, raw, `one of ${(spec.choices ?? []).join(', ')}`);
    default:
      if (typeof raw === 'string' && raw.length > 0) return raw;
      throw configError(source, raw, 'a non-empty string');
  }
}

function parseBool(source: string, raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const s = raw.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off'].includes(s)) return false;
  }
  throw configError(source, raw, 'true or false');
}

function parseNumber(source: string, raw: unknown, spec: Bounds): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  const integer = spec.type !== 'float';
  const min = spec.min ?? (spec.type === 'port' ? 1 : -Infinity);
  const max = spec.max ?? (spec.type === 'port' ? 65535 : Infinity);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    const kind = spec.type === 'port' ? 'a port' : integer ? 'an integer' : 'a number';
    const range = Number.isFinite(min) && Number.isFinite(max) ? ` from ${min} to ${max}`
      : Number.isFinite(min) ? ` of at least ${min}` : Number.isFinite(max) ? ` of at most ${max}` : '';
    throw configError(source, raw, `${kind}${range}`);
  }
  return n;
}

/** Durations are returned in milliseconds; a bare number means seconds. */
function parseDuration(source: string, raw: unknown): number {
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) return raw * 1000;
  const m = typeof raw === 'string' ? DURATION.exec(raw.trim()) : null;
  if (m?.[1] !== undefined) return Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000);
  throw configError(source, raw, 'a duration such as 500ms, 30s, 5m or 1h');
}

/** Sizes are returned in bytes: a bare number is bytes; K/M/G (or KiB/MiB/GiB) are powers of 1024. */
function parseSize(source: string, raw: unknown, spec: Bounds): number {
  const m = typeof raw === 'number' ? [String(raw), String(raw)] : typeof raw === 'string' ? SIZE.exec(raw.trim()) : null;
  const unit = m?.[2]?.charAt(0).toUpperCase() ?? '';
  const n = m?.[1] !== undefined ? Math.floor(Number(m[1]) * (SIZE_UNIT[unit] ?? 1)) : NaN;
  const min = spec.min ?? 0;
  const max = spec.max ?? Number.MAX_SAFE_INTEGER;
  if (Number.isFinite(n) && n >= min && n <= max) return n;
  throw configError(source, raw, `a size from ${min} to ${max} bytes such as 65536, 64M or 256MiB`);
}

function parseUrl(source: string, raw: unknown): string {
  if (typeof raw === 'string') {
    try {
      const u = new URL(raw);
      if (u.protocol === 'http:' || u.protocol === 'https:') return u.toString().replace(/\/$/, '');
    } catch {
      // fall through to the config error below
    }
  }
  throw configError(source, raw, 'an http:// or https:// URL such as http://127.0.0.1:80');
}

function parseList(source: string, raw: unknown, spec: Bounds): string[] {
  const items = (Array.isArray(raw) ? raw : [raw])
    .flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]))
    .map((v) => (typeof v === 'string' ? v.trim() : v));
  const allowed = spec.type === 'roles' ? ROLES : spec.type === 'systems' ? SYSTEMS : spec.choices;
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string' || item === '') throw configError(source, item, 'a comma-separated list');
    if (allowed && !allowed.includes(item)) throw configError(source, item, `one of ${allowed.join(', ')}`);
    out.push(item);
  }
  return out;
}

function parseOverrides(source: string, raw: unknown): Record<string, number> {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw)) out[k] = parseNumber(`${source} ${k}`, v, { type: 'port' });
    return out;
  }
  const out: Record<string, number> = {};
  const items = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
  for (const item of items) {
    const m = typeof item === 'string' ? /^([a-z0-9-]+)=(.+)$/.exec(item.trim()) : null;
    if (!m?.[1] || m[2] === undefined) throw configError(source, item, 'FLOW=PORT, e.g. ns-agent-http=8080');
    out[m[1]] = parseNumber(`${source} ${m[1]}`, m[2], { type: 'port' });
  }
  return out;
}
