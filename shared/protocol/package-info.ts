// GetPackageInfo.aspx codec, both directions: the agent's `?xml=<request type="codebases">` query
// and the NS's `<Package><Source><Codebase/>` answer. Pure and bounded: never resolves a host,
// never trusts a count or a number it has not checked.
import { isIP } from 'node:net';
import { smpError } from '../errors.js';
import { braced, parseGuid } from './guid.js';
import { attr, child, children, escapeXml, parseXml, type XmlLimits, type XmlNode } from './xml.js';

export const PACKAGE_INFO_PATH = '/Altiris/NS/Agent/GetPackageInfo.aspx';
export const MAX_PACKAGES_PER_REQUEST = 64;
export const MAX_ADDRESSES_PER_REQUEST = 32;
export const MAX_CODEBASES = 64;

const LIMITS: XmlLimits = { maxBytes: 16_384, maxDepth: 8 };
const ANSWER_LIMITS: XmlLimits = { maxBytes: 1 << 20, maxDepth: 8 };

export interface PackageInfoRequest {
  /** Machine GUID of the caller (canonical, no braces). */
  readonly resource: string;
  readonly version: string;
  readonly type: 'codebases';
  readonly compress: boolean;
  /** Minutes the agent has spent trying to download so far. */
  readonly totalTime: number;
  readonly packages: readonly string[];
  /** The caller's own IP addresses, used to order codebases. */
  readonly addresses: readonly string[];
}

export type CodebaseType = 'HTTP' | 'HTTPS' | 'UNC';

export interface Codebase {
  readonly url: string;
  readonly type: CodebaseType;
  /** (smp-lab) name of the server the codebase lives on. */
  readonly server: string;
}

export interface PackageInfo {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly version: number;
  readonly remote: boolean;
  readonly priority: string;
  readonly status: string;
  readonly statusDescription: string;
  readonly minspeed: number;
  readonly enableMulticast: boolean;
  /** Base64 of the NS snapshot-signing public key (SPKI DER). */
  readonly sourceKey: string;
  readonly codebases: readonly Codebase[];
}

export function encodePackageInfoRequest(r: PackageInfoRequest): string {
  const pkgs = r.packages.map((g) => `<package${xmlAttrs({ guid: braced(g) })}/>`).join('');
  const addrs = r.addresses.map((ip) => `<address${xmlAttrs({ ip })}/>`).join('');
  return `<request${xmlAttrs({
    resource: braced(r.resource), version: r.version, type: r.type, compress: r.compress ? '1' : '0', totalTime: r.totalTime,
  })}><packages>${pkgs}</packages><addresses>${addrs}</addresses></request>`;
}

/** Path and query an agent requests (the XML URL-encoded in `xml`, as in the IIS log line of KB 179874). */
export function packageInfoUrlPath(r: PackageInfoRequest): string {
  return `${PACKAGE_INFO_PATH}?xml=${encodeURIComponent(encodePackageInfoRequest(r))}`;
}

export function decodePackageInfoRequest(xml: string): PackageInfoRequest {
  const root = parseXml(xml, LIMITS, 'GetPackageInfo request');
  if (root.name.toLowerCase() !== 'request') throw smpError('BAD_INPUT', `expected a <request> element, got <${root.name}>`);
  const type = attr(root, 'type') ?? 'codebases';
  if (type.toLowerCase() !== 'codebases') throw smpError('BAD_INPUT', `request type "${type.slice(0, 40)}" is not supported; expected "codebases"`);
  const totalTime = nonNegativeInt(attr(root, 'totalTime') ?? '0', 'totalTime');
  const packages = listOf(root, 'packages', 'package', MAX_PACKAGES_PER_REQUEST).map((p) => parseGuid(attr(p, 'guid'), 'package guid'));
  if (packages.length === 0) throw smpError('MISSING_PARAMETER', 'request names no <package guid="..."/>');
  const addresses = listOf(root, 'addresses', 'address', MAX_ADDRESSES_PER_REQUEST).map((a) => {
    const ip = attr(a, 'ip') ?? '';
    if (isIP(ip) === 0) throw smpError('BAD_INPUT', `address ip ${JSON.stringify(ip.slice(0, 60))} is not an IP address`);
    return ip;
  });
  const compress = attr(root, 'compress') ?? '0';
  return {
    resource: parseGuid(attr(root, 'resource'), 'request resource'),
    version: (attr(root, 'version') ?? '1').slice(0, 16),
    type: 'codebases',
    compress: compress === '1' || compress.toLowerCase() === 'true',
    totalTime,
    packages,
    addresses,
  };
}

function listOf(root: XmlNode, group: string, item: string, max: number): XmlNode[] {
  const g = child(root, group);
  if (g === undefined) return [];
  const items = children(g, item);
  if (items.length > max) throw smpError('BAD_INPUT', `more than ${max} <${item}> elements in one request`, { limit: max });
  return items;
}

function nonNegativeInt(s: string, field: string): number {
  if (!/^\d{1,9}$/.test(s.trim())) throw smpError('BAD_INPUT', `${field} must be a whole number of minutes, got ${JSON.stringify(s.slice(0, 40))}`);
  return Number(s.trim());
}

function encodeOne(p: PackageInfo): string {
  const cbs = p.codebases.map((c) => `<Codebase${xmlAttrs({ url: c.url, type: c.type, server: c.server })}/>`).join('');
  return `<Package${xmlAttrs({
    id: braced(p.id), name: p.name, size: p.size, version: p.version, remote: String(p.remote), priority: p.priority,
    status: p.status, statusDescription: p.statusDescription, minspeed: p.minspeed,
    enableMulticast: String(p.enableMulticast), sourceKey: p.sourceKey,
  })}><Source>${cbs}</Source></Package>`;
}

/** One package answers with a `<Package>` root as the NS does; several with a (smp-lab) `<Packages>` wrapper. */
export function encodePackageInfo(pkgs: readonly PackageInfo[]): string {
  const first = pkgs[0];
  if (pkgs.length === 1 && first !== undefined) return encodeOne(first);
  return `<Packages>${pkgs.map(encodeOne).join('')}</Packages>`;
}

export function decodePackageInfo(xml: string): PackageInfo[] {
  const root = parseXml(xml, ANSWER_LIMITS, 'GetPackageInfo answer');
  const name = root.name.toLowerCase();
  if (name === 'package') return [decodeOne(root)];
  if (name === 'packages') return children(root, 'Package').map(decodeOne);
  throw smpError('BAD_INPUT', `expected <Package> or <Packages>, got <${root.name}>`);
}

function decodeOne(el: XmlNode): PackageInfo {
  const src = child(el, 'Source');
  const cbs = src === undefined ? [] : children(src, 'Codebase');
  if (cbs.length > MAX_CODEBASES) throw smpError('BAD_INPUT', `more than ${MAX_CODEBASES} codebases`);
  return {
    id: parseGuid(attr(el, 'id'), 'Package id'),
    name: attr(el, 'name') ?? '',
    size: nonNegativeNumber(attr(el, 'size'), 'Package size'),
    version: nonNegativeNumber(attr(el, 'version'), 'Package version'),
    remote: attr(el, 'remote') === 'true',
    priority: attr(el, 'priority') ?? 'Normal',
    status: attr(el, 'status') ?? '',
    statusDescription: attr(el, 'statusDescription') ?? '',
    minspeed: nonNegativeNumber(attr(el, 'minspeed') ?? '0', 'Package minspeed'),
    enableMulticast: attr(el, 'enableMulticast') === 'true',
    sourceKey: attr(el, 'sourceKey') ?? '',
    codebases: cbs.map((c) => ({ url: attr(c, 'url') ?? '', type: codebaseType(attr(c, 'type')), server: attr(c, 'server') ?? '' })),
  };
}

function codebaseType(t: string | undefined): CodebaseType {
  const u = (t ?? '').toUpperCase();
  if (u === 'HTTP' || u === 'HTTPS' || u === 'UNC') return u;
  throw smpError('BAD_INPUT', `Codebase type ${JSON.stringify((t ?? '').slice(0, 20))} is not HTTP, HTTPS or UNC`);
}

function nonNegativeNumber(s: string | undefined, field: string): number {
  if (s === undefined || !/^\d{1,15}$/.test(s)) throw smpError('BAD_INPUT', `${field} must be a whole number, got ${JSON.stringify((s ?? '').slice(0, 40))}`);
  return Number(s);
}

/** Renders `name="value"` pairs, skipping undefined values. */
function xmlAttrs(pairs: Readonly<Record<string, string | number | boolean | undefined>>): string {
  let out = '';
  for (const [k, v] of Object.entries(pairs)) if (v !== undefined) out += ` ${k}="${escapeXml(String(v))}"`;
  return out;
}
