// CreateExternalPackage.aspx (smp-lab 1): a request that asks the NS to publish a package whose
// files the NS generates deterministically (name and size given per file). Pure and bounded:
// file names are checked as snapshot names, counts and sizes against the caller's limits.
import { smpError } from '../errors.js';
import { braced, parseGuid } from './guid.js';
import { checkFileName } from './package-snapshot.js';
import { attr, children, escapeXml, parseXml } from './xml.js';

export const CREATE_EXTERNAL_PACKAGE_PATH = '/Altiris/NS/Agent/CreateExternalPackage.aspx';

export interface ExternalPackageRequest {
  /** Absent: the NS picks a GUID from the name. */
  readonly guid?: string;
  readonly name: string;
  readonly files: ReadonlyArray<{ readonly name: string; readonly size: number }>;
}

export interface ExternalPackageLimits {
  readonly maxFiles: number;
  readonly maxFileBytes: number;
  readonly maxTotalBytes: number;
}

export function encodeExternalPackageRequest(r: ExternalPackageRequest): string {
  const g = r.guid === undefined ? '' : ` guid="${braced(r.guid)}"`;
  return `<package name="${escapeXml(r.name)}"${g}>` +
    r.files.map((f) => `<file name="${escapeXml(f.name)}" size="${f.size}"/>`).join('') + '</package>';
}

export function decodeExternalPackageRequest(xml: string | Buffer, limits: ExternalPackageLimits): ExternalPackageRequest {
  const root = parseXml(xml, { maxBytes: 256 * 1024, maxDepth: 3 }, 'CreateExternalPackage request');
  if (root.name !== 'package') throw smpError('BAD_INPUT', `expected <package>, got <${root.name}>`);
  const name = (attr(root, 'name') ?? '').trim();
  if (name === '' || name.length > 200) throw smpError('BAD_INPUT', 'package name must be 1 to 200 characters');
  const els = children(root, 'file');
  if (els.length === 0 || els.length > limits.maxFiles) throw smpError('BAD_INPUT', `a package needs 1 to ${limits.maxFiles} <file> elements`);
  let total = 0;
  const seen = new Set<string>();
  const files = els.map((f) => {
    const fname = checkFileName(attr(f, 'name') ?? '');
    if (seen.has(fname.toLowerCase())) throw smpError('BAD_INPUT', `file ${fname} is listed twice`);
    seen.add(fname.toLowerCase());
    const s = attr(f, 'size') ?? '';
    if (!/^\d{1,15}$/.test(s) || Number(s) > limits.maxFileBytes) {
      throw smpError('TOO_LARGE', `file ${fname}: size must be a whole number up to ${limits.maxFileBytes} bytes`);
    }
    total += Number(s);
    return { name: fname, size: Number(s) };
  });
  if (total > limits.maxTotalBytes) throw smpError('TOO_LARGE', `package of ${total} bytes is over the limit of ${limits.maxTotalBytes}`);
  const guid = attr(root, 'guid');
  return { ...(guid !== undefined ? { guid: parseGuid(guid, 'package guid') } : {}), name, files };
}
