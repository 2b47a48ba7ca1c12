// ensureLabCertificates: the one call servers make at start to get a CA-signed certificate for
// their names. Reuses what is on disk when still valid and fitting; otherwise remakes the least it
// can (the CA survives a server re-issue, so trust given to it stays) and records why in a manifest.
import { hostname as osHostname } from 'node:os';
import { issueServerCertificate, makeLabCa, MIN_KEY_BITS, type LabCa } from './issue.js';
import { caProblem, readX509, serverProblem, type Freshness } from './inspect.js';
import { CERT_MODE, KEY_MODE, labPaths, prepareDir, readOptional, withDirLock, writeAtomic, type LabCertificatePaths } from './lab-files.js';
import { DEFAULT_IPS, defaultDnsNames, normaliseNames, type SubjectNames } from './subject-names.js';

export const DEFAULT_SERVER_DAYS = 397;
export const DEFAULT_CA_DAYS = 3650;
export const DEFAULT_RENEW_BEFORE_DAYS = 7;
export const MANIFEST_FORMAT = 'smp-lab-certs/1';

export interface LabCertificateOptions {
  /** Folder of the lab PKI (the CLI's default is `.lab/certs`). */
  readonly dir: string;
  /** DNS names (an IP address here is moved to `ips`); default localhost and the host name. */
  readonly names?: readonly string[];
  /** IP addresses; default 127.0.0.1 and ::1. */
  readonly ips?: readonly string[];
  /** Validity of a new server certificate, days (default 397). */
  readonly days?: number;
  /** Validity of a new CA, days (default 3650). */
  readonly caDays?: number;
  /** Remake a certificate with fewer days than this left (default 7). */
  readonly renewBeforeDays?: number;
  /** Remake the server certificate and key even if they are valid. */
  readonly force?: boolean;
  /** Remake the CA too (every certificate it signed stops being trusted). */
  readonly forceCa?: boolean;
  readonly keyBits?: number;
  /** Clock of the run; tests pass a past date to make certificates that are already expired. */
  readonly now?: Date;
  /** Host name for the default names (default os.hostname()). */
  readonly hostname?: string;
}

export interface ItemReport {
  readonly action: 'made' | 'reused';
  /** Why it was made ("missing", "expired on ...", "names changed ...", "forced"), or "valid". */
  readonly reason: string;
  readonly subject: string;
  readonly serial: string;
  readonly notAfter: string;
  readonly sha256: string;
}

export interface LabCertificates {
  readonly paths: LabCertificatePaths;
  readonly names: SubjectNames;
  readonly caCertPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** The CA with its key, to issue client certificates (issueClientCertificate). */
  readonly ca: LabCa;
  readonly report: { readonly ca: ItemReport; readonly server: ItemReport };
  /** Non-fatal observations (e.g. a folder open to other users). */
  readonly warnings: readonly string[];
}

export async function ensureLabCertificates(opts: LabCertificateOptions): Promise<LabCertificates> {
  const names = normaliseNames(opts.names ?? defaultDnsNames(opts.hostname ?? osHostname()), opts.ips ?? DEFAULT_IPS);
  const paths = labPaths(opts.dir);
  const warnings = await prepareDir(opts.dir);
  const fresh: Freshness = {
    now: opts.now ?? new Date(),
    renewBeforeDays: opts.renewBeforeDays ?? DEFAULT_RENEW_BEFORE_DAYS,
    keyBits: opts.keyBits ?? MIN_KEY_BITS,
  };
  return withDirLock(opts.dir, async () => {
    const ca = await ensureCa(paths, opts, fresh);
    const server = await ensureServer(paths, ca.value, names, opts, fresh, ca.reason !== null);
    const report = { ca: describe(ca.value.certPem, ca.reason), server: describe(server.value.certPem, server.reason) };
    if (ca.reason !== null || server.reason !== null || (await manifestStale(paths))) {
      await writeAtomic(paths.manifest, manifestText(paths, names, report, fresh.now), CERT_MODE);
    }
    return {
      paths, names, caCertPem: ca.value.certPem, certPem: server.value.certPem, keyPem: server.value.keyPem,
      ca: ca.value, report, warnings,
    };
  });
}

interface Outcome {
  readonly value: LabCa;
  /** null when reused. */
  readonly reason: string | null;
}

async function ensureCa(paths: LabCertificatePaths, opts: LabCertificateOptions, f: Freshness): Promise<Outcome> {
  const certPem = await readOptional(paths.caCert);
  const keyPem = await readOptional(paths.caKey);
  const reason = opts.forceCa === true ? 'forced (--force-ca)' : caProblem(certPem, keyPem, f);
  if (reason === null && certPem !== null && keyPem !== null) return { value: { certPem, keyPem }, reason: null };
  const ca = await makeLabCa({ days: opts.caDays ?? DEFAULT_CA_DAYS, now: f.now, keyBits: f.keyBits });
  // Key first: a crash in between leaves a CA that fails the key check and is remade next run.
  await writeAtomic(paths.caKey, ca.keyPem, KEY_MODE);
  await writeAtomic(paths.caCert, ca.certPem, CERT_MODE);
  return { value: ca, reason: reason ?? 'missing' };
}

async function ensureServer(
  paths: LabCertificatePaths, ca: LabCa, names: SubjectNames, opts: LabCertificateOptions, f: Freshness, caRemade: boolean,
): Promise<Outcome> {
  const certPem = await readOptional(paths.cert);
  const keyPem = await readOptional(paths.key);
  const found = serverProblem(certPem, keyPem, ca.certPem, names, f);
  const reason = opts.force === true ? 'forced (--force)'
    : caRemade && found !== null && found.startsWith('not signed') ? 'the lab CA was remade'
      : found;
  if (reason === null && certPem !== null && keyPem !== null) return { value: { certPem, keyPem }, reason: null };
  const issued = await issueServerCertificate(ca, names, { days: opts.days ?? DEFAULT_SERVER_DAYS, now: f.now, keyBits: f.keyBits });
  await writeAtomic(paths.key, issued.keyPem, KEY_MODE);
  await writeAtomic(paths.cert, issued.certPem, CERT_MODE);
  return { value: issued, reason: reason ?? 'missing' };
}

function describe(certPem: string, reason: string | null): ItemReport {
  const x = readX509(certPem);
  return {
    action: reason === null ? 'reused' : 'made',
    reason: reason ?? 'valid',
    subject: x?.subject.replace(/\n/g, ', ') ?? '',
    serial: x?.serialNumber ?? '',
    notAfter: x ? new Date(Date.parse(x.validTo)).toISOString() : '',
    sha256: x?.fingerprint256 ?? '',
  };
}

async function manifestStale(paths: LabCertificatePaths): Promise<boolean> {
  const text = await readOptional(paths.manifest);
  if (text === null) return true;
  try {
    return (JSON.parse(text) as { format?: unknown }).format !== MANIFEST_FORMAT;
  } catch {
    return true;
  }
}

function manifestText(paths: LabCertificatePaths, names: SubjectNames, report: LabCertificates['report'], now: Date): string {
  const file = (p: string): string => p.slice(paths.dir.length + 1);
  const doc = {
    format: MANIFEST_FORMAT,
    updatedAt: now.toISOString(),
    ca: { cert: file(paths.caCert), key: file(paths.caKey), ...report.ca },
    server: { cert: file(paths.cert), key: file(paths.key), names: names.dns, ips: names.ips, ...report.server },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
