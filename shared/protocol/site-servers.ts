// GetSiteServerInfo.aspx (smp-lab 1): the site servers (package servers and the NS itself) an
// agent should use, ordered for the caller's addresses. Pure codec, both directions.
import { isIP } from 'node:net';
import { smpError } from '../errors.js';
import { braced, parseGuid } from './guid.js';
import { attr, children, escapeXml, parseXml } from './xml.js';
import { queryParam, type Query } from './query.js';

export const SITE_SERVER_INFO_PATH = '/Altiris/NS/Agent/GetSiteServerInfo.aspx';
export const MAX_SITE_SERVERS = 256;

export type SiteServerType = 'NotificationServer' | 'PackageServer';

export interface SiteServer {
  readonly name: string;
  readonly type: SiteServerType;
  /** Base URLs (scheme://host:port) this server answers on. */
  readonly urls: readonly string[];
  /** True when one of the caller's addresses is in one of the server's subnets. */
  readonly local: boolean;
}

export interface SiteServerQuery {
  readonly resource: string;
  readonly addresses: readonly string[];
}

export function siteServerUrlPath(q: SiteServerQuery): string {
  const p = new URLSearchParams({ resourceGuid: braced(q.resource) });
  if (q.addresses.length > 0) p.set('ip', q.addresses.join(','));
  return `${SITE_SERVER_INFO_PATH}?${p.toString()}`;
}

export function decodeSiteServerQuery(q: Query): SiteServerQuery {
  const ips = (queryParam(q, 'ip', 1024) ?? '').split(',').filter((s) => s !== '');
  if (ips.length > 32) throw smpError('BAD_INPUT', 'at most 32 addresses in ip=');
  for (const ip of ips) if (isIP(ip) === 0) throw smpError('BAD_INPUT', `ip ${JSON.stringify(ip.slice(0, 60))} is not an IP address`);
  return { resource: parseGuid(queryParam(q, 'resourceGuid', 64), 'resourceGuid'), addresses: ips };
}

export function encodeSiteServers(resource: string, servers: readonly SiteServer[]): string {
  const rows = servers.map((s) =>
    `<siteServer name="${escapeXml(s.name)}" type="${s.type}" local="${s.local}">` +
    s.urls.map((u) => `<url>${escapeXml(u)}</url>`).join('') + '</siteServer>').join('');
  return `<siteServers version="1" resource="${braced(resource)}">${rows}</siteServers>`;
}

export function decodeSiteServers(xml: string): SiteServer[] {
  const root = parseXml(xml, { maxBytes: 256 * 1024, maxDepth: 4 }, 'GetSiteServerInfo answer');
  if (root.name !== 'siteServers') throw smpError('BAD_INPUT', `expected <siteServers>, got <${root.name}>`);
  const rows = children(root, 'siteServer');
  if (rows.length > MAX_SITE_SERVERS) throw smpError('BAD_INPUT', `more than ${MAX_SITE_SERVERS} site servers`);
  return rows.map((r) => {
    const type = attr(r, 'type');
    if (type !== 'NotificationServer' && type !== 'PackageServer') throw smpError('BAD_INPUT', `unknown site server type ${JSON.stringify(type)}`);
    return { name: attr(r, 'name') ?? '', type, local: attr(r, 'local') === 'true', urls: children(r, 'url').map((u) => u.text) };
  });
}
