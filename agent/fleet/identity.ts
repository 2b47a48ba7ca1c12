// Identities of the simulated fleet: GUID, computer name, domain, MAC, OS flavour and IPv4 address,
// each a pure function of (seed, index), so the same seed is the same fleet on every run and shard.
// Nothing here is stored per agent: identities are recomputed on demand and reversed in O(1).
import { createHash } from 'node:crypto';
import { configError } from '../../shared/errors.js';

export interface OsFlavour {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  /** Computer-name prefix. */
  readonly prefix: string;
  readonly family: 'windows' | 'linux' | 'mac';
  /** Share of the fleet, out of 100. */
  readonly weight: number;
}

export const OS_FLAVOURS: readonly OsFlavour[] = [
  { id: 'win10', name: 'Windows 10 Enterprise', version: '10.0.19045', prefix: 'WS', family: 'windows', weight: 55 },
  { id: 'win11', name: 'Windows 11 Enterprise', version: '10.0.22631', prefix: 'WS', family: 'windows', weight: 20 },
  { id: 'win2019', name: 'Windows Server 2019 Standard', version: '10.0.17763', prefix: 'SRV', family: 'windows', weight: 10 },
  { id: 'rhel8', name: 'Red Hat Enterprise Linux 8', version: '8.9', prefix: 'LNX', family: 'linux', weight: 8 },
  { id: 'ubuntu22', name: 'Ubuntu 22.04 LTS', version: '22.04', prefix: 'LNX', family: 'linux', weight: 4 },
  { id: 'macos13', name: 'macOS Ventura', version: '13.6', prefix: 'MAC', family: 'mac', weight: 3 },
];

const DOMAINS = ['LAB', 'CORP', 'BRANCH'] as const;

export interface AgentIdentity {
  readonly index: number;
  /** Upper-case, no braces: 8B031AC8-AB06-4460-998C-94837C9C4AE8. */
  readonly guid: string;
  readonly name: string;
  readonly domain: string;
  readonly fqdn: string;
  /** 02-53-4C-xx-xx-xx style, upper-case, dash-separated as Windows prints it. */
  readonly mac: string;
  readonly ip: string;
  readonly os: OsFlavour;
}

export interface FleetSpec {
  readonly seed: string;
  /** First agent address: dotted IPv4, 127.1.0.1 by default; any unicast address the host answers for. */
  readonly ipBase: string;
}

export const DEFAULT_IP_BASE = '127.1.0.1';
export const MAX_FLEET = 1_000_000;

/** Everything derived from the seed alone, computed once per fleet. */
export class FleetIdentities {
  readonly seed: string;
  readonly ipBase: number;
  private readonly guidPrefix: Buffer;
  private readonly macSeed: number;
  private readonly domain: string;
  /** Four hex digits of the seed in every computer name. */
  private readonly nameTag: string;

  constructor(spec: FleetSpec) {
    this.seed = spec.seed;
    this.ipBase = parseIpBase(spec.ipBase);
    const h = createHash('sha256').update(`smp-lab fleet\0${spec.seed}`).digest();
    this.guidPrefix = Buffer.from(h.subarray(0, 12));
    // RFC 9562 version 8 (custom) and variant 10xx, so the GUID is well-formed.
    this.guidPrefix[6] = (this.guidPrefix[6]! & 0x0f) | 0x80;
    this.guidPrefix[8] = (this.guidPrefix[8]! & 0x3f) | 0x80;
    this.macSeed = h[12]!;
    this.domain = DOMAINS[h[13]! % DOMAINS.length]!;
    this.nameTag = h.subarray(14, 16).toString('hex').toUpperCase();
  }

  /** The largest fleet this base can address: inside 127.0.0.0/8 on loopback, below 224.0.0.0 elsewhere. */
  get capacity(): number {
    const last = this.ipBase >>> 24 === 127 ? 0x7ffffffe : LAST_UNICAST;
    return Math.min(MAX_FLEET, last - this.ipBase + 1);
  }

  /** True when the fleet lives in 127.0.0.0/8 (the default), false on routable addresses. */
  get loopback(): boolean {
    return this.ipBase >>> 24 === 127;
  }

  guidBytes(index: number, out: Buffer = Buffer.allocUnsafe(16), offset = 0): Buffer {
    this.guidPrefix.copy(out, offset);
    out.writeUInt32BE(Math.imul((index ^ this.guidPrefix.readUInt32BE(8)) >>> 0, GUID_MUL) >>> 0, offset + 12);
    return out;
  }

  guid(index: number): string {
    return formatGuid(this.guidBytes(index));
  }

  /** The index a GUID of this fleet names, or -1. */
  indexOfGuid(guid: Buffer | string): number {
    const b = typeof guid === 'string' ? parseGuidText(guid) : guid;
    if (b === null || b.length !== 16 || b.compare(this.guidPrefix, 0, 12, 0, 12) !== 0) return -1;
    return (Math.imul(b.readUInt32BE(12), GUID_MUL_INV) ^ this.guidPrefix.readUInt32BE(8)) >>> 0;
  }

  macBytes(index: number, out: Buffer = Buffer.allocUnsafe(6), offset = 0): Buffer {
    out[offset] = 0x02; // locally administered, unicast
    out[offset + 1] = this.macSeed;
    out.writeUInt32BE(index >>> 0, offset + 2);
    return out;
  }

  mac(index: number): string {
    return formatMac(this.macBytes(index));
  }

  indexOfMac(mac: Buffer): number {
    if (mac.length !== 6 || mac[0] !== 0x02 || mac[1] !== this.macSeed) return -1;
    return mac.readUInt32BE(2);
  }

  ipNumber(index: number): number {
    return this.ipBase + index;
  }

  ip(index: number): string {
    return formatIPv4(this.ipBase + index);
  }

  /** The index owning a dotted address, or -1 (no range check against the fleet size). */
  indexOfIp(ip: string): number {
    const n = parseIPv4(ip.startsWith('::ffff:') ? ip.slice(7) : ip);
    return n === null || n < this.ipBase ? -1 : n - this.ipBase;
  }

  os(index: number): OsFlavour {
    const roll = mix(this.macSeed * 0x9e3779b1 + index) % 100;
    let acc = 0;
    for (const f of OS_FLAVOURS) {
      acc += f.weight;
      if (roll < acc) return f;
    }
    return OS_FLAVOURS[0]!;
  }

  identity(index: number): AgentIdentity {
    const os = this.os(index);
    // The seed's tag keeps fleets of different seeds apart on one NS (their names, and so their
    // name.domain keys, never meet); at most 15 characters, the NetBIOS limit.
    const name = `${os.prefix}-${this.nameTag}-${String(index).padStart(6, '0')}`;
    return {
      index, guid: this.guid(index), name, domain: this.domain,
      fqdn: `${name.toLowerCase()}.${this.domain.toLowerCase()}.local`,
      mac: this.mac(index), ip: this.ip(index), os,
    };
  }
}

// The index part of a GUID is scrambled by an invertible multiplication mod 2^32, so neighbours
// do not look alike yet the GUID still reverses to its index without a table.
const GUID_MUL = 0x9e3779b1;
const GUID_MUL_INV = inverseMod32(GUID_MUL);

function inverseMod32(a: number): number {
  let x = a; // Newton's iteration: each step doubles the correct low bits (a odd).
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(a, x));
  return x >>> 0;
}

/** 32-bit integer hash (murmur3 finaliser), for per-index choices without a digest per agent. */
function mix(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function formatGuid(b: Buffer): string {
  const h = b.toString('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const GUID_TEXT = /^\{?([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})\}?$/;

/** Text GUID (with or without braces) to its 16 bytes in text order; null when malformed. */
export function parseGuidText(s: string): Buffer | null {
  const m = GUID_TEXT.exec(s);
  return m ? Buffer.from(m.slice(1).join(''), 'hex') : null;
}

export function formatMac(b: Buffer): string {
  return [...b.subarray(0, 6)].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join('-');
}

/** MAC text in any common separator style (-, :, none) to 6 bytes; null when malformed. */
export function parseMac(s: string): Buffer | null {
  const hex = s.replace(/[-:.]/g, '');
  return /^[0-9a-fA-F]{12}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
}

export function formatIPv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function parseIPv4(s: string): number | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

/** The last address a fleet may use outside loopback: 223.255.255.254, below the multicast range. */
const LAST_UNICAST = 0xdffffffe;

function parseIpBase(s: string): number {
  const n = parseIPv4(s);
  const first = n === null ? 0 : n >>> 24;
  if (n === null || first === 0 || n > LAST_UNICAST || n === 0x7f000000) {
    throw configError('--ip-base', s,
      'a unicast IPv4 address: inside 127.0.0.0/8 such as 127.1.0.1, or on a subnet local to this host such as 10.62.0.1');
  }
  return n;
}
