// GetLicenseDetails.aspx (smp-lab 1): which licences the NS holds for the calling computer. Pure
// codec, both directions; the licence arithmetic lives in the server.
import { smpError } from '../errors.js';
import { braced, parseGuid } from './guid.js';
import { attr, children, escapeXml, parseXml } from './xml.js';
import { queryParam, type Query } from './query.js';

export const LICENSE_DETAILS_PATH = '/Altiris/NS/Agent/GetLicenseDetails.aspx';

export type LicenseStatus = 'Licensed' | 'OverLimit' | 'Unregistered';

export interface LicenseDetail {
  readonly product: string;
  readonly status: LicenseStatus;
  readonly seats: number;
  readonly used: number;
}

export const licenseDetailsUrlPath = (resource: string): string => `${LICENSE_DETAILS_PATH}?resourceGuid=${encodeURIComponent(braced(resource))}`;

export const decodeLicenseQuery = (q: Query): string => parseGuid(queryParam(q, 'resourceGuid', 64) ?? queryParam(q, 'resource', 64), 'resourceGuid');

export function encodeLicenseDetails(resource: string, rows: readonly LicenseDetail[]): string {
  return `<licenseDetails version="1" resource="${braced(resource)}">` + rows.map((r) =>
    `<license product="${escapeXml(r.product)}" status="${r.status}" seats="${r.seats}" used="${r.used}"/>`).join('') + '</licenseDetails>';
}

export function decodeLicenseDetails(xml: string): { resource: string; licenses: LicenseDetail[] } {
  const root = parseXml(xml, { maxBytes: 64 * 1024, maxDepth: 3 }, 'GetLicenseDetails answer');
  if (root.name !== 'licenseDetails') throw smpError('BAD_INPUT', `expected <licenseDetails>, got <${root.name}>`);
  const licenses = children(root, 'license').slice(0, 256).map((l): LicenseDetail => {
    const status = attr(l, 'status');
    if (status !== 'Licensed' && status !== 'OverLimit' && status !== 'Unregistered') throw smpError('BAD_INPUT', `unknown licence status ${JSON.stringify(status)}`);
    return { product: attr(l, 'product') ?? '', status, seats: Number(attr(l, 'seats') ?? 0) || 0, used: Number(attr(l, 'used') ?? 0) || 0 };
  });
  return { resource: parseGuid(attr(root, 'resource'), 'licenseDetails resource'), licenses };
}
