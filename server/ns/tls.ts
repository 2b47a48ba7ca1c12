// TLS settings of the HTTPS listener: certificate and key from PEM files (or PEM text), TLS 1.2
// and 1.3 only (1.2 with Mozilla's intermediate ECDHE + AEAD suites), session resumption by tickets (1.2 and 1.3) with a bounded session lifetime.
// Never generates certificates (the certs area does).
import { readFileSync } from 'node:fs';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import { smpError } from '../../shared/errors.js';
import { TLS_PROFILE } from '../../shared/tls-profile.js';
import type { NsTlsOptions } from './options.js';

export function tlsServerOptions(o: NsTlsOptions): TlsOptions {
  const cert = o.cert ?? readPem(o.certFile, 'certificate');
  const key = o.key ?? readPem(o.keyFile, 'private key');
  const ctx: SecureContextOptions = { cert, key, ...TLS_PROFILE };
  return { ...ctx, sessionTimeout: o.sessionTimeoutS ?? 300, ALPNProtocols: ['http/1.1'] };
}

function readPem(path: string | undefined, what: string): Buffer {
  if (path === undefined) throw smpError('CONFIG', `HTTPS needs a ${what}: give --cert and --key, or --certs DIR`);
  try {
    return readFileSync(path);
  } catch (err) {
    throw smpError('CONFIG', `cannot read the TLS ${what} ${path}: ${(err as Error).message}`, { path }, err);
  }
}
