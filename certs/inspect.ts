// Judges certificate files found on disk: is the CA still a usable CA, is the server certificate
// still valid, made for the requested names, matching its key and signed by that CA? Answers with
// the reason to remake, or null to reuse. Never changes a file.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { canonicalIp, sameNames, type SubjectNames } from './subject-names.js';

const DAY_MS = 86_400_000;

export interface Freshness {
  readonly now: Date;
  /** Remake when fewer than this many days of validity remain. */
  readonly renewBeforeDays: number;
  /** Remake when the key is smaller than this. */
  readonly keyBits: number;
}

/** Parses a PEM certificate with node:crypto, or returns null when it cannot be read. */
export function readX509(pem: string): X509Certificate | null {
  try {
    return new X509Certificate(pem);
  } catch {
    return null;
  }
}

/** Reason to remake the CA, or null when it can keep signing. */
export function caProblem(certPem: string | null, keyPem: string | null, f: Freshness): string | null {
  if (certPem === null || keyPem === null) return 'missing';
  const ca = readX509(certPem);
  if (ca === null) return 'CA certificate unreadable';
  if (!ca.ca) return 'CA certificate is not a CA (basicConstraints)';
  if (!ca.checkIssued(ca) || !ca.verify(ca.publicKey)) return 'CA certificate is not self-signed';
  return keyProblem(ca, keyPem, f) ?? validityProblem(ca, f);
}

/** Reason to remake the server certificate, or null when it fits the request and the CA. */
export function serverProblem(
  certPem: string | null,
  keyPem: string | null,
  caPem: string,
  want: SubjectNames,
  f: Freshness,
): string | null {
  if (certPem === null || keyPem === null) return 'missing';
  const cert = readX509(certPem);
  const ca = readX509(caPem);
  if (cert === null) return 'certificate unreadable';
  if (ca === null || !cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'not signed by the current lab CA';
  const problem = keyProblem(cert, keyPem, f) ?? validityProblem(cert, f);
  if (problem !== null) return problem;
  const have = certificateNames(cert);
  if (!sameNames(have, want)) return `names changed (had ${[...have.dns, ...have.ips].join(', ') || 'none'})`;
  return null;
}

function keyProblem(cert: X509Certificate, keyPem: string, f: Freshness): string | null {
  let matches: boolean;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return 'key unreadable';
  }
  if (!matches) return 'key does not match the certificate';
  const bits = cert.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < f.keyBits) return `key of ${bits} bits is smaller than the ${f.keyBits} requested`;
  return null;
}

function validityProblem(cert: X509Certificate, f: Freshness): string | null {
  const now = f.now.getTime();
  const notBefore = Date.parse(cert.validFrom);
  const notAfter = Date.parse(cert.validTo);
  if (!(notBefore <= now)) return `not valid before ${new Date(notBefore).toISOString()}`;
  if (notAfter <= now) return `expired on ${new Date(notAfter).toISOString()}`;
  const left = (notAfter - now) / DAY_MS;
  if (left < f.renewBeforeDays) return `expires in ${left.toFixed(1)} days (renewed when fewer than ${f.renewBeforeDays} remain)`;
  return null;
}

/** The DNS names and IP addresses of a certificate's subjectAltName, normalised like a request. */
export function certificateNames(cert: X509Certificate): SubjectNames {
  const dns: string[] = [];
  const ips: string[] = [];
  for (const entry of (cert.subjectAltName ?? '').split(', ')) {
    if (entry.startsWith('DNS:')) dns.push(entry.slice(4).toLowerCase());
    else if (entry.startsWith('IP Address:')) ips.push(canonicalIp(entry.slice(11)));
  }
  return { dns: [...new Set(dns)].sort(), ips: [...new Set(ips)].sort() };
}
