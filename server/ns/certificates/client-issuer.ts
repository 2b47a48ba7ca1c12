// The NS's client-certificate issuer (smp-lab): a small CA made at first use and kept in the data
// folder (key 0600), which signs agent CSRs for GetClientCertificate.aspx. It signs only a CSR
// whose public key is the computer's registered policyKey; it never signs for another name.
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import { smpError } from '../../../shared/errors.js';

export const ISSUER_CERT_FILE = 'ns-client-issuer.pem';
export const ISSUER_KEY_FILE = 'ns-client-issuer.key';

export interface ClientIssuer {
  readonly certPem: string;
  /** Signs a CSR (already checked by the caller) for `days` days; returns PEM and serial. */
  issue(csr: forge.pki.CertificateSigningRequest, days: number): { pem: string; serial: string };
}

function makeIssuer(certPem: string, keyPem: string): ClientIssuer {
  const caCert = forge.pki.certificateFromPem(certPem);
  const caKey = forge.pki.privateKeyFromPem(keyPem);
  return {
    certPem,
    issue(csr, days) {
      const cert = forge.pki.createCertificate();
      cert.publicKey = csr.publicKey as forge.pki.rsa.PublicKey;
      const serial = `01${randomBytes(15).toString('hex')}`;
      cert.serialNumber = serial;
      cert.validity.notBefore = new Date(Date.now() - 60_000);
      cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
      cert.setSubject(csr.subject.attributes);
      cert.setIssuer(caCert.subject.attributes);
      cert.setExtensions([
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', clientAuth: true },
      ]);
      cert.sign(caKey, forge.md.sha256.create());
      return { pem: forge.pki.certificateToPem(cert), serial };
    },
  };
}

function newIssuer(name: string): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 5 * 365 * 86_400_000);
  const attrs = [{ name: 'commonName', value: `${name} client certificate issuer (smp-lab)` }, { name: 'organizationName', value: 'smp-lab' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([{ name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** Loads the issuer from `dir` or makes one (kept in memory only when dir is undefined). */
export async function loadOrCreateIssuer(dir: string | undefined, name: string): Promise<ClientIssuer> {
  if (dir === undefined) {
    const n = newIssuer(name);
    return makeIssuer(n.certPem, n.keyPem);
  }
  const certFile = join(dir, ISSUER_CERT_FILE);
  const keyFile = join(dir, ISSUER_KEY_FILE);
  const [c, k] = await Promise.all([readFile(certFile, 'utf8').catch(() => undefined), readFile(keyFile, 'utf8').catch(() => undefined)]);
  if (c !== undefined && k !== undefined) {
    try {
      createPrivateKey(k);
      return makeIssuer(c, k);
    } catch (err) {
      throw smpError('CRYPTO', `${certFile} / ${keyFile} do not hold a usable issuer; remove both to make a new one`, {}, err);
    }
  }
  const n = newIssuer(name);
  await mkdir(dir, { recursive: true });
  await writeFile(keyFile, n.keyPem, { mode: 0o600 });
  await writeFile(certFile, n.certPem);
  return makeIssuer(n.certPem, n.keyPem);
}
