// The W3C extended log format in the field layout of an IIS web site (the layout NS log tools
// such as aila2 and goaccess read): directives, one line a request, IIS encoding rules (space as
// `+`, `-` for an empty field). Pure: formats and parses text, never touches files.
import { smpError } from '../errors.js';

export const W3C_FIELDS = [
  'date', 'time', 's-ip', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 's-port', 'cs-username', 'c-ip',
  'cs(User-Agent)', 'sc-status', 'sc-substatus', 'sc-win32-status', 'sc-bytes', 'cs-bytes', 'time-taken',
] as const;

export type W3cField = (typeof W3C_FIELDS)[number];

export interface W3cEntry {
  readonly at: Date;
  readonly serverIp: string;
  readonly method: string;
  readonly uriStem: string;
  /** Query string without the `?`, as received; empty for none. */
  readonly uriQuery: string;
  readonly serverPort: number;
  readonly username: string;
  readonly clientIp: string;
  readonly userAgent: string;
  readonly status: number;
  readonly substatus: number;
  readonly win32Status: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Milliseconds. */
  readonly timeTaken: number;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
export const w3cDate = (d: Date): string => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
export const w3cTime = (d: Date): string => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

/** IIS writes a field as `-` when empty and replaces spaces (and anything that would split a line) with `+`. */
export function w3cField(value: string): string {
  if (value === '') return '-';
  // eslint-disable-next-line no-control-regex
  return /[\s\u0000-\u001f\u007f]/.test(value) ? value.replace(/[\s\u0000-\u001f\u007f]/g, '+') : value;
}

/** Strips the IPv4-mapped IPv6 prefix node reports for IPv4 peers on dual-stack sockets. */
export const plainIp = (ip: string | undefined): string => (ip === undefined ? '' : ip.startsWith('::ffff:') ? ip.slice(7) : ip);

export function w3cHeader(software: string, at: Date): string {
  return `#Software: ${software}\r\n#Version: 1.0\r\n#Date: ${w3cDate(at)} ${w3cTime(at)}\r\n#Fields: ${W3C_FIELDS.join(' ')}\r\n`;
}

let cachedSecond = -1;
let cachedDateTime = '';

/** `date time` of a line; the text is reused for every line of the same second. */
function w3cDateTime(at: Date): string {
  const second = Math.floor(at.getTime() / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDateTime = `${w3cDate(at)} ${w3cTime(at)}`;
  }
  return cachedDateTime;
}

export function encodeW3cLine(e: W3cEntry): string {
  return `${w3cDateTime(e.at)} ${w3cField(e.serverIp)} ${w3cField(e.method)} ${w3cField(e.uriStem)} ` +
    `${w3cField(e.uriQuery)} ${e.serverPort} ${w3cField(e.username)} ${w3cField(e.clientIp)} ${w3cField(e.userAgent)} ` +
    `${e.status} ${e.substatus} ${e.win32Status} ${e.bytesSent} ${e.bytesReceived} ${Math.max(0, Math.round(e.timeTaken))}\r\n`;
}

export interface W3cLog {
  readonly directives: Readonly<Record<string, string>>;
  /** Every record as field name -> raw value (`-` kept as written). */
  readonly records: ReadonlyArray<Readonly<Record<string, string>>>;
}

/**
 * Parses a W3C log file: records are split by the most recent `#Fields:` directive. A record with
 * the wrong number of fields, or records before any `#Fields:`, are BAD_INPUT errors naming the line.
 */
export function parseW3cLog(text: string, maxLines = 1_000_000): W3cLog {
  const directives: Record<string, string> = {};
  const records: Array<Record<string, string>> = [];
  let fields: string[] | undefined;
  const lines = text.split(/\r?\n/);
  if (lines.length > maxLines + 1) throw smpError('TOO_LARGE', `log has more than ${maxLines} lines`);
  lines.forEach((line, i) => {
    if (line === '') return;
    if (line.startsWith('#')) {
      const colon = line.indexOf(':');
      if (colon === -1) throw smpError('BAD_INPUT', `line ${i + 1}: directive without a colon`);
      const name = line.slice(1, colon);
      const value = line.slice(colon + 1).trim();
      directives[name] = value;
      if (name === 'Fields') fields = value.split(' ').filter((f) => f !== '');
      return;
    }
    if (fields === undefined) throw smpError('BAD_INPUT', `line ${i + 1}: record before any #Fields directive`);
    const values = line.split(' ');
    if (values.length !== fields.length) {
      throw smpError('BAD_INPUT', `line ${i + 1}: ${values.length} values for ${fields.length} fields`);
    }
    const rec: Record<string, string> = {};
    fields.forEach((f, j) => (rec[f] = values[j] ?? ''));
    records.push(rec);
  });
  return { directives, records };
}

/** IIS log file name for a day: u_exYYMMDD.log (UTF-8 W3C, rolled daily by UTC date). */
export const w3cFileName = (d: Date): string => `u_ex${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}.log`;
