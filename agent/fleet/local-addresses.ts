// Whether a range of IPv4 addresses is local to this host (the kernel answers for every one of them),
// checked before a fleet starts: from the kernel's LOCAL routes in /proc/net/fib_trie (cost grows with the
// routes, not the fleet), or, where that file is unreadable, by binding sampled addresses. Never changes routes.
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { smpError } from '../../shared/errors.js';
import { formatIPv4, parseIPv4 } from './identity.js';

/** One LOCAL route (a host address or a `local` prefix route): first and last address, inclusive. */
export interface LocalSpan {
  readonly first: number;
  readonly last: number;
}

/** The LOCAL entries of a /proc/net/fib_trie text: `|-- A.B.C.D` leaves, each with `/N scope LOCAL` lines. */
export function parseFibTrie(text: string): LocalSpan[] {
  const spans: LocalSpan[] = [];
  let leaf: number | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('|-- ')) {
      leaf = parseIPv4(line.slice(4).trim());
      continue;
    }
    if (!line.startsWith('/')) {
      leaf = null; // a node (+--) or a table heading: the next entry names its own leaf
      continue;
    }
    const m = /^\/(\d{1,2})\s+\S+\s+LOCAL\b/.exec(line);
    if (m === null || leaf === null) continue;
    const len = Number(m[1]);
    if (len > 32) continue;
    const size = 2 ** (32 - len);
    const first = leaf - (leaf % size);
    spans.push({ first, last: first + size - 1 });
  }
  return spans;
}

/** The first run of addresses in first..last that no span covers, or null when all are covered. */
export function firstGap(spans: readonly LocalSpan[], first: number, last: number): LocalSpan | null {
  const sorted = [...spans].sort((a, b) => a.first - b.first);
  let next = first;
  for (const s of sorted) {
    if (s.last < next) continue;
    if (s.first > next) return { first: next, last: Math.min(last, s.first - 1) };
    next = s.last + 1;
    if (next > last) return null;
  }
  return { first: next, last };
}

/** The smallest prefix covering first..last, as `a.b.c.d/len`. */
export function coveringPrefix(first: number, last: number): string {
  let len = 32;
  while (len > 0 && Math.floor(first / 2 ** (32 - len)) !== Math.floor(last / 2 ** (32 - len))) len -= 1;
  const size = 2 ** (32 - len);
  return `${formatIPv4(first - (first % size))}/${len}`;
}

/** Sampled addresses for the bind fallback: first, last and evenly spaced ones between (at most `n`). */
export function sampleRange(first: number, last: number, n = 64): number[] {
  const count = last - first + 1;
  if (count <= n) return Array.from({ length: count }, (_, i) => first + i);
  const out = new Set<number>([first, last]);
  for (let i = 1; i < n - 1; i++) out.add(first + Math.floor((i * (count - 1)) / (n - 1)));
  return [...out].sort((a, b) => a - b);
}

function canBind(ip: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => { s.close(); resolve(false); });
    s.bind({ address: formatIPv4(ip), port: 0 }, () => s.close(() => resolve(true)));
  });
}

export interface LocalCheck {
  /** How the range was checked. */
  readonly method: 'fib_trie' | 'bind-sample';
  /** The first addresses found not local, or null when the range is local. */
  readonly missing: LocalSpan | null;
}

/** Checks first..last against the kernel's LOCAL routes (or by binding samples where /proc is not there). */
export async function checkLocalRange(first: number, last: number, fibTrie = '/proc/net/fib_trie'): Promise<LocalCheck> {
  let text: string | null;
  try {
    text = readFileSync(fibTrie, 'utf8');
  } catch {
    text = null;
  }
  if (text !== null) return { method: 'fib_trie', missing: firstGap(parseFibTrie(text), first, last) };
  for (const ip of sampleRange(first, last)) {
    if (!(await canBind(ip))) return { method: 'bind-sample', missing: { first: ip, last: ip } };
  }
  return { method: 'bind-sample', missing: null };
}

/** Throws one actionable line (exit 2) when first..last is not local; the fix names the covering prefix. */
export async function assertLocalRange(first: number, last: number, fibTrie?: string): Promise<LocalCheck> {
  const r = await checkLocalRange(first, last, fibTrie);
  if (r.missing === null) return r;
  const gap = r.missing.first === r.missing.last ? formatIPv4(r.missing.first)
    : `${formatIPv4(r.missing.first)}..${formatIPv4(r.missing.last)}`;
  const prefix = coveringPrefix(first, last);
  const whole = r.missing.first === first && r.missing.last === last;
  const of = whole ? '' : ` (of the fleet's ${formatIPv4(first)}..${formatIPv4(last)})`;
  throw smpError('ENVIRONMENT', `agent addresses ${gap}${of} are not local to this host; `
    + `make them local with: ip route add local ${prefix} dev lo`,
  { first: formatIPv4(first), last: formatIPv4(last), prefix, method: r.method });
}
