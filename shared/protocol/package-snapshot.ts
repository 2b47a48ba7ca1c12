// GetPackageSnapshot.aspx codec (smp-lab 1): the snapshot manifest (file names, sizes, SHA-256)
// and the signed answer that carries it, plus signing and verification with the NS key (Ed25519).
// Pure: no sockets, no files; a file name that could escape a package folder never decodes.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { smpError } from '../errors.js';
import { braced, parseGuid } from './guid.js';
import { attr, child, children, escapeXml, parseXml, type XmlLimits } from './xml.js';
import { queryParam, type Query } from './query.js';

export const PACKAGE_SNAPSHOT_PATH = '/Altiris/NS/Agent/GetPackageSnapshot.aspx';
export const SNAPSHOT_FORMAT_VERSION = '1';
export const SNAPSHOT_ALGORITHM = 'Ed25519';
export const MAX_SNAPSHOT_FILES = 4096;
const MAX_NAME = 240;

const LIMITS: XmlLimits = { maxBytes: 2 << 20, maxDepth: 6 };

export interface SnapshotFile {
  /** Relative path inside the package, `/`-separated. */
  readonly name: string;
  readonly size: number;
  /** Lower-case hex SHA-256 of the file content. */
  readonly sha256: string;
}

export interface Snapshot {
  readonly packageId: string;
  readonly version: number;
  readonly files: readonly SnapshotFile[];
}

export interface SignedSnapshot {
  readonly packageId: string;
  readonly algorithm: string;
  /** Hex SHA-256 of the signer's SPKI DER public key. */
  readonly keyId: string;
  readonly signature: Buffer;
  /** The exact snapshot XML bytes that were signed. */
  readonly snapshotBytes: Buffer;
}

/** A package file name: relative, `/`-separated, no `.`/`..` segments, no drive, backslash or control chars. */
export function checkFileName(name: string): string {
  const bad = (why: string): never => {
    throw smpError('BAD_INPUT', `package file name ${JSON.stringify(name.slice(0, 80))} is refused: ${why}`);
  };
  if (name.length === 0 || name.length > MAX_NAME) bad(`length must be 1 to ${MAX_NAME}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\\:*?"<>|]/.test(name)) bad('control character or one of \\ : * ? " < > |');
  const parts = name.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.endsWith(' ') || p.endsWith('.'))) bad('empty, "." or ".." segment');
  return name;
}

export function encodeSnapshot(s: Snapshot): string {
  const total = s.files.reduce((n, f) => n + f.size, 0);
  const files = s.files.map((f) => `<file${xmlAttrs({ name: checkFileName(f.name), size: f.size, sha256: f.sha256 })}/>`).join('');
  return `<snapshot${xmlAttrs({
    format: SNAPSHOT_FORMAT_VERSION, packageId: braced(s.packageId), version: s.version, fileCount: s.files.length, totalSize: total,
  })}>${files}</snapshot>`;
}

export function decodeSnapshot(xml: string): Snapshot {
  const root = parseXml(xml, LIMITS, 'snapshot');
  if (root.name !== 'snapshot') throw smpError('BAD_INPUT', `expected <snapshot>, got <${root.name}>`);
  const els = children(root, 'file');
  if (els.length > MAX_SNAPSHOT_FILES) throw smpError('BAD_INPUT', `more than ${MAX_SNAPSHOT_FILES} files in a snapshot`);
  const files = els.map((f) => {
    const sha = attr(f, 'sha256') ?? '';
    if (!/^[0-9a-f]{64}$/.test(sha)) throw smpError('BAD_INPUT', 'snapshot file sha256 must be 64 lower-case hex digits');
    return { name: checkFileName(attr(f, 'name') ?? ''), size: wholeNumber(attr(f, 'size'), 'file size'), sha256: sha };
  });
  const declared = attr(root, 'fileCount');
  if (declared !== undefined && Number(declared) !== files.length) throw smpError('BAD_INPUT', 'snapshot fileCount does not match its <file> elements');
  return { packageId: parseGuid(attr(root, 'packageId'), 'snapshot packageId'), version: wholeNumber(attr(root, 'version'), 'snapshot version'), files };
}

function wholeNumber(s: string | undefined, field: string): number {
  if (s === undefined || !/^\d{1,15}$/.test(s)) throw smpError('BAD_INPUT', `${field} must be a whole number`);
  return Number(s);
}

/** Hex SHA-256 of the SPKI DER of a public key: names the key in answers and logs. */
export function keyIdOf(spkiDer: Buffer): string {
  return createHash('sha256').update(spkiDer).digest('hex');
}

/** Signs the exact snapshot bytes with the NS private key (Ed25519, no pre-hash). */
export function signSnapshot(snapshotXml: string, packageId: string, privateKey: KeyObject, publicSpki: Buffer): SignedSnapshot {
  const bytes = Buffer.from(snapshotXml, 'utf8');
  return { packageId, algorithm: SNAPSHOT_ALGORITHM, keyId: keyIdOf(publicSpki), signature: sign(null, bytes, privateKey), snapshotBytes: bytes };
}

export function encodeSignedSnapshot(s: SignedSnapshot): string {
  return `<packageSnapshot${xmlAttrs({
    format: SNAPSHOT_FORMAT_VERSION, packageId: braced(s.packageId), algorithm: s.algorithm, keyId: s.keyId,
    signature: s.signature.toString('base64'),
  })}><snapshot>${s.snapshotBytes.toString('base64')}</snapshot></packageSnapshot>`;
}

export function decodeSignedSnapshot(xml: string): SignedSnapshot {
  const root = parseXml(xml, { ...LIMITS, maxBytes: 4 << 20 }, 'GetPackageSnapshot answer');
  if (root.name !== 'packageSnapshot') throw smpError('BAD_INPUT', `expected <packageSnapshot>, got <${root.name}>`);
  const body = child(root, 'snapshot')?.text ?? '';
  const sig = attr(root, 'signature') ?? '';
  if (!/^[A-Za-z0-9+/=]*$/.test(body) || !/^[A-Za-z0-9+/=]{1,200}$/.test(sig)) throw smpError('BAD_INPUT', 'snapshot or signature is not base64');
  return {
    packageId: parseGuid(attr(root, 'packageId'), 'packageSnapshot packageId'),
    algorithm: attr(root, 'algorithm') ?? '',
    keyId: attr(root, 'keyId') ?? '',
    signature: Buffer.from(sig, 'base64'),
    snapshotBytes: Buffer.from(body, 'base64'),
  };
}

/**
 * Verifies a signed snapshot against the `sourceKey` of GetPackageInfo (base64 SPKI DER) and
 * returns the decoded manifest; a bad key, algorithm, signature or package id is a CRYPTO error.
 */
export function verifySignedSnapshot(s: SignedSnapshot, sourceKey: string): Snapshot {
  if (s.algorithm !== SNAPSHOT_ALGORITHM) throw smpError('CRYPTO', `snapshot signature algorithm ${JSON.stringify(s.algorithm)} is not ${SNAPSHOT_ALGORITHM}`);
  if (sourceKey === '') throw smpError('CRYPTO', 'no sourceKey: the snapshot cannot be verified');
  const der = Buffer.from(sourceKey, 'base64');
  let ok: boolean;
  try {
    const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    ok = verify(null, s.snapshotBytes, key, s.signature);
  } catch (err) {
    throw smpError('CRYPTO', `sourceKey is not a usable public key: ${err instanceof Error ? err.message : String(err)}`, {}, err);
  }
  if (!ok) throw smpError('CRYPTO', 'snapshot signature does not verify with the package sourceKey');
  const snap = decodeSnapshot(s.snapshotBytes.toString('utf8'));
  if (snap.packageId !== s.packageId) throw smpError('CRYPTO', 'signed snapshot names another package');
  return snap;
}

export interface SnapshotQuery {
  readonly packageGuid: string;
  readonly resource?: string;
  /** Lowest package version the agent accepts. */
  readonly version?: number;
}

export function snapshotUrlPath(q: SnapshotQuery): string {
  const p = new URLSearchParams({ packageGuid: braced(q.packageGuid) });
  if (q.resource !== undefined) p.set('resource', braced(q.resource));
  if (q.version !== undefined) p.set('version', String(q.version));
  return `${PACKAGE_SNAPSHOT_PATH}?${p.toString()}`;
}

/** Reads the query of a snapshot request (parameter names case-insensitive, as ASP.NET reads them). */
export function decodeSnapshotQuery(query: Query): SnapshotQuery {
  const version = queryParam(query, 'version', 20);
  if (version !== undefined && !/^\d{1,15}$/.test(version)) throw smpError('BAD_INPUT', 'version must be a whole number');
  const resource = queryParam(query, 'resource', 64);
  const pkg = queryParam(query, 'packageGuid', 64) ?? queryParam(query, 'packageId', 64);
  if (pkg === undefined || pkg === '') throw smpError('MISSING_PARAMETER', 'packageGuid is required (the package GUID)');
  return {
    packageGuid: parseGuid(pkg, 'packageGuid'),
    ...(resource !== undefined ? { resource: parseGuid(resource, 'resource') } : {}),
    ...(version !== undefined ? { version: Number(version) } : {}),
  };
}

/** Renders `name="value"` pairs, skipping undefined values. */
function xmlAttrs(pairs: Readonly<Record<string, string | number | boolean | undefined>>): string {
  let out = '';
  for (const [k, v] of Object.entries(pairs)) if (v !== undefined) out += ` ${k}="${escapeXml(String(v))}"`;
  return out;
}
