// The certificate the HTTPS responders present: the lab certificate when one is given or found in
// the lab certificate folder, else a throw-away self-signed one made at start (node-forge). Never
// writes a key to disk.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import { smpError } from '../../shared/errors.js';

export interface TlsIdentity {
  readonly cert: string;
  readonly key: string;
  /** Where it came from, printed by respond. */
  readonly source: string;
}

export interface TlsIdentityOptions {
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Lab certificate folder (server.pem + server-key.pem), used when present. */
  readonly certDir?: string;
  /** Names for the throw-away certificate's subjectAltName. */
  readonly ips?: readonly string[];
}

export async function loadTlsIdentity(opts: TlsIdentityOptions): Promise<TlsIdentity> {
  if (opts.certFile !== undefined || opts.keyFile !== undefined) {
    if (opts.certFile === undefined || opts.keyFile === undefined) {
      throw smpError('CONFIG', '--cert and --key go together: give both files or neither');
    }
    return { cert: await readPem(opts.certFile), key: await readPem(opts.keyFile), source: opts.certFile };
  }
  if (opts.certDir !== undefined) {
    const cert = await readFile(join(opts.certDir, 'server.pem'), 'utf8').catch(() => null);
    const key = await readFile(join(opts.certDir, 'server-key.pem'), 'utf8').catch(() => null);
    if (cert !== null && key !== null) return { cert, key, source: join(opts.certDir, 'server.pem') };
  }
  return throwAway(opts.ips ?? ['127.0.0.1']);
}

async function readPem(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw smpError('CONFIG', `cannot read ${path}: ${(err as Error).message}`, { path }, err);
  }
}

function throwAway(ips: readonly string[]): TlsIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 7 * 24 * 3600_000);
  const subject = [{ name: 'commonName', value: 'smp-lab throw-away responder' }, { name: 'organizationName', value: 'smp-lab' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  const altNames = [{ type: 2, value: 'localhost' }, ...ips.filter((ip) => ip !== '0.0.0.0' && ip !== '::').map((ip) => ({ type: 7, ip }))];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey, source: 'throw-away self-signed certificate (no lab certificate found)' };
}
