// Makes the lab's certificates: the CA, server certificates (serverAuth) and client certificates
// (clientAuth) signed by it. Keys come from node:crypto (native, ~100x faster than forge's pure-JS
// RSA); node-forge builds the X.509 structure. Never writes files: callers decide where PEMs go.
import { generateKeyPair, randomBytes, sign } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { smpError } from '../shared/errors.js';
import type { SubjectNames } from './subject-names.js';

const generateKeyPairAsync = promisify(generateKeyPair);
const DAY_MS = 86_400_000;
/** notBefore is set this far in the past so peers with a slightly late clock accept a fresh certificate. */
const BACKDATE_MS = 5 * 60_000;
export const MIN_KEY_BITS = 2048;

export interface IssuedCertificate {
  readonly certPem: string;
  /** PKCS#8 PEM. */
  readonly keyPem: string;
}

/** The CA as needed to sign: its certificate and private key (PEM). */
export type LabCa = IssuedCertificate;

export interface ValidityOptions {
  /** The moment the certificate is made; tests pass a past date to make an expired certificate. */
  readonly now?: Date;
  readonly days: number;
  /** RSA modulus size, at least 2048. */
  readonly keyBits?: number;
}

export async function generateRsaKey(bits = MIN_KEY_BITS): Promise<{ keyPem: string; publicKeyPem: string }> {
  if (!Number.isInteger(bits) || bits < MIN_KEY_BITS || bits > 8192) {
    throw smpError('CRYPTO', `RSA key size ${bits} is not allowed; expected an integer from ${MIN_KEY_BITS} to 8192`);
  }
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: bits,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { keyPem: privateKey, publicKeyPem: publicKey };
}

/** A self-signed CA: basicConstraints CA (path length 0), keyCertSign + cRLSign, subject key id. */
export async function makeLabCa(opts: ValidityOptions & { commonName?: string }): Promise<LabCa> {
  const key = await generateRsaKey(opts.keyBits);
  const cert = baseCertificate(key.publicKeyPem, opts);
  const subject = [
    { name: 'commonName', value: opts.commonName ?? `smp-lab Lab CA ${randomBytes(4).toString('hex')}` },
    { name: 'organizationName', value: 'smp-lab' },
    { shortName: 'OU', value: 'Lab PKI (not for production)' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signWithNodeCrypto(cert, key.keyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.keyPem };
}

/** A server certificate for the given names: serverAuth, SANs, signed by the lab CA. */
export function issueServerCertificate(ca: LabCa, names: SubjectNames, opts: ValidityOptions): Promise<IssuedCertificate> {
  return issueLeaf(ca, { commonName: names.dns[0] ?? names.ips[0] ?? 'smp-lab', names, serverAuth: true, clientAuth: false }, opts);
}

/** A client certificate (e.g. a simulated agent's): clientAuth, optional SANs, signed by the lab CA. */
export function issueClientCertificate(
  ca: LabCa,
  client: { commonName: string; names?: SubjectNames },
  opts: ValidityOptions,
): Promise<IssuedCertificate> {
  return issueLeaf(ca, { ...client, serverAuth: false, clientAuth: true }, opts);
}

interface LeafProfile {
  readonly commonName: string;
  readonly names?: SubjectNames;
  readonly serverAuth: boolean;
  readonly clientAuth: boolean;
}

async function issueLeaf(ca: LabCa, profile: LeafProfile, opts: ValidityOptions): Promise<IssuedCertificate> {
  const caCert = parseCertificate(ca.certPem, 'lab CA certificate');
  const key = await generateRsaKey(opts.keyBits);
  const cert = baseCertificate(key.publicKeyPem, opts);
  cert.setSubject([
    { name: 'commonName', value: profile.commonName },
    { name: 'organizationName', value: 'smp-lab' },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...(profile.names?.dns ?? []).map((value) => ({ type: 2, value })),
    ...(profile.names?.ips ?? []).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: profile.serverAuth, clientAuth: profile.clientAuth },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  signWithNodeCrypto(cert, ca.keyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.keyPem };
}

function baseCertificate(publicKeyPem: string, opts: ValidityOptions): forge.pki.Certificate {
  if (!Number.isFinite(opts.days) || opts.days <= 0) {
    throw smpError('CRYPTO', `certificate validity of ${opts.days} days is not allowed; expected a positive number of days`);
  }
  const now = (opts.now ?? new Date()).getTime();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now - BACKDATE_MS);
  cert.validity.notAfter = new Date(now + opts.days * DAY_MS);
  return cert;
}

/** 128 random bits, positive (top bit clear) and of fixed length (second-highest bit set). */
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x40;
  return b.toString('hex');
}

export function parseCertificate(pem: string, what: string): forge.pki.Certificate {
  try {
    return forge.pki.certificateFromPem(pem);
  } catch (err) {
    throw smpError('CRYPTO', `${what} is not a readable PEM certificate`, {}, err);
  }
}

/**
 * Signs with SHA-256/RSA through node:crypto. forge's cert.sign(key, md) feeds the DER of the
 * TBSCertificate to md.update() and then asks key.sign(md) for the signature: we collect the bytes
 * and sign them natively instead of with forge's pure-JS modular arithmetic.
 */
function signWithNodeCrypto(cert: forge.pki.Certificate, keyPem: string): void {
  const chunks: string[] = [];
  const collector = { algorithm: 'sha256', update(bytes: string) { chunks.push(bytes); return collector; } };
  const signer = { sign: () => sign('sha256', Buffer.from(chunks.join(''), 'binary'), keyPem).toString('binary') };
  cert.sign(signer as unknown as forge.pki.rsa.PrivateKey, collector as unknown as forge.md.MessageDigest);
}
