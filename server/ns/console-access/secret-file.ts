// The console's signing secret: 32 random bytes made at first start and kept in
// <data>/console-secret (mode 0600), so signed session cookies and bearer tokens survive a restart.
// Deleting the file signs every session and token out. Never logs or returns the secret.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { smpError } from '../../../shared/errors.js';
import { SECRET_FILE } from './options.js';

export function loadOrMakeSecret(dataDir: string): Buffer {
  const path = join(dataDir, SECRET_FILE);
  const hex = readIfExists(path, 'console secret');
  if (hex !== undefined) {
    if (/^[0-9a-f]{64}$/.test(hex.trim())) return Buffer.from(hex.trim(), 'hex');
    throw smpError('CONFIG', `${path} is not a console secret (64 hex digits); delete it and restart to make a new one`);
  }
  const secret = randomBytes(32);
  writePrivate(path, `${secret.toString('hex')}\n`);
  return secret;
}

/** The file's text, or undefined when it does not exist. */
export function readIfExists(path: string, what: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw smpError('CONFIG', `cannot read the ${what} ${path}: ${(err as Error).message}`, { path }, err);
  }
}

/** Creates a file readable by its owner only (fails if it exists: never overwrites a secret). */
export function writePrivate(path: string, text: string): void {
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  } catch (err) {
    throw smpError('CONFIG', `cannot write ${path}: ${(err as Error).message}`, { path }, err);
  }
}
