// Which codebases an agent gets for a package, in which order: package servers whose subnets
// hold one of the caller's addresses first (longest prefix first), then the other package
// servers, then the NS itself; past the download-time limit only the NS-site source. Pure.
import { BlockList, isIP } from 'node:net';
import { configError } from '../../../shared/errors.js';
import type { Codebase } from '../../../shared/protocol/package-info.js';
import type { SiteServer } from '../../../shared/protocol/site-servers.js';
import type { PackageServerSpec } from './options.js';

export interface Subnet {
  readonly list: BlockList;
  readonly prefix: number;
}

export interface SiteServerEntry {
  readonly name: string;
  readonly kind: 'ns' | 'ps';
  readonly host?: string;
  readonly subnets: readonly Subnet[];
}

export function parseSubnet(cidr: string): Subnet {
  const [net, bits] = cidr.split('/');
  const family = net === undefined ? 0 : isIP(net);
  const max = family === 6 ? 128 : 32;
  const prefix = bits === undefined ? max : Number(bits);
  if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw configError('package server subnet', cidr, 'a CIDR block such as 10.20.0.0/16 or fd00::/64');
  }
  const list = new BlockList();
  list.addSubnet(net!, prefix, family === 6 ? 'ipv6' : 'ipv4');
  return { list, prefix };
}

export function siteServerEntries(specs: readonly PackageServerSpec[], nsName: string): SiteServerEntry[] {
  const ps = specs.map((s): SiteServerEntry => ({ name: s.name, kind: 'ps', ...(s.host ? { host: s.host } : {}), subnets: s.subnets.map(parseSubnet) }));
  return [...ps, { name: nsName, kind: 'ns', subnets: [] }];
}

const plain = (ip: string): string => (ip.startsWith('::ffff:') ? ip.slice(7) : ip);

/** Longest prefix of the entry's subnets that holds one of the addresses; -1 when none does. */
export function matchLength(entry: SiteServerEntry, addresses: readonly string[]): number {
  let best = -1;
  for (const raw of addresses) {
    const ip = plain(raw);
    const type = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    for (const s of entry.subnets) if (s.prefix > best && s.list.check(ip, type)) best = s.prefix;
  }
  return best;
}

/** Entries in the order an agent at `addresses` should try them (stable within a rank). */
export function orderEntries(entries: readonly SiteServerEntry[], addresses: readonly string[], nsOnly: boolean): SiteServerEntry[] {
  if (nsOnly) return entries.filter((e) => e.kind === 'ns');
  const ranked = entries.map((e, i) => ({ e, i, m: e.kind === 'ns' ? -2 : matchLength(e, addresses) }));
  ranked.sort((a, b) => b.m - a.m || a.i - b.i);
  return ranked.map((r) => r.e);
}

export interface Endpoints {
  /** Host the agent used (or the advertised host). */
  readonly host: string;
  readonly httpPort: number | null;
  readonly httpsPort: number | null;
  /** Scheme of the request being answered: offered first. */
  readonly preferHttps: boolean;
}

const hostPart = (h: string): string => (isIP(h) === 6 ? `[${h}]` : h);

export function baseUrls(host: string, ep: Endpoints): Array<{ type: 'HTTP' | 'HTTPS'; base: string }> {
  const out: Array<{ type: 'HTTP' | 'HTTPS'; base: string }> = [];
  if (ep.httpPort !== null) out.push({ type: 'HTTP', base: `http://${hostPart(host)}:${ep.httpPort}` });
  if (ep.httpsPort !== null) out.push({ type: 'HTTPS', base: `https://${hostPart(host)}:${ep.httpsPort}` });
  return ep.preferHttps ? out.reverse() : out;
}

/** Folder URL path of a package on a server: NS PackageShare or the PS share layout. */
export const packageFolderPath = (kind: 'ns' | 'ps', guid: string): string =>
  kind === 'ns' ? `/Altiris/PackageShare/pkggroup_${guid}/` : `/Altiris/PS/Share/${guid}/cache/`;

export function codebasesFor(guid: string, ordered: readonly SiteServerEntry[], ep: Endpoints): Codebase[] {
  return ordered.flatMap((e) => baseUrls(e.host ?? ep.host, ep).map((b) => ({ url: b.base + packageFolderPath(e.kind, guid), type: b.type, server: e.name })));
}

export function siteServersFor(ordered: readonly SiteServerEntry[], addresses: readonly string[], ep: Endpoints): SiteServer[] {
  return ordered.map((e) => ({
    name: e.name, type: e.kind === 'ns' ? 'NotificationServer' : 'PackageServer',
    urls: baseUrls(e.host ?? ep.host, ep).map((b) => b.base), local: matchLength(e, addresses) >= 0,
  }));
}
