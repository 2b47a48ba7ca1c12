// The lab certificate folder on disk: file names, reading what is there, writing PEMs atomically
// with their modes (keys 0600, certificates 0644, folder 0700 when we create it) and a lock so two
// processes starting at once do not make two different CAs. Never loosens an existing folder's mode.
import { constants } from 'node:fs';
import { chmod, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { smpError } from '../shared/errors.js';
import { makeDir } from '../shared/make-dir.js';

export interface LabCertificatePaths {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly cert: string;
  readonly key: string;
  readonly manifest: string;
}

export const KEY_MODE = 0o600;
export const CERT_MODE = 0o644;
export const DIR_MODE = 0o700;
const LOCK_STALE_MS = 60_000;
const LOCK_WAIT_MS = 30_000;

export function labPaths(dir: string): LabCertificatePaths {
  return {
    dir,
    caCert: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server-key.pem'),
    manifest: join(dir, 'manifest.json'),
  };
}

/** Creates the folder with mode 0700; an existing folder keeps its mode (a warning is returned if open to others). */
export async function prepareDir(dir: string): Promise<string[]> {
  const made = await makeDir(dir, DIR_MODE).catch((err: unknown) => {
    throw smpError('ENVIRONMENT', `cannot create the certificate folder ${dir}: ${(err as Error).message}`, {}, err);
  });
  const st = await stat(dir);
  if (!st.isDirectory()) throw smpError('ENVIRONMENT', `${dir} is not a folder`);
  if (made) {
    await chmod(dir, DIR_MODE);
    return [];
  }
  return (st.mode & 0o077) !== 0
    ? [`folder ${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)}); keys are 0600, but 0700 is advised`]
    : [];
}

/** The file's text, or null when it does not exist. */
export async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw smpError('ENVIRONMENT', `cannot read ${path}: ${(err as Error).message}`, {}, err);
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a key; mode set explicitly (umask ignored). */
export async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, data, { mode, flag: 'w' });
    await chmod(tmp, mode);
    const fh = await open(tmp, 'r');
    await fh.sync().finally(() => fh.close());
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw smpError('ENVIRONMENT', `cannot write ${path}: ${(err as Error).message}`, {}, err);
  }
}

/** Runs `work` holding `dir/.lock` (O_EXCL); a lock older than a minute is taken as left by a dead process. */
export async function withDirLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.lock');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fh = await open(lock, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      await fh.writeFile(`${process.pid}\n`).finally(() => fh.close());
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw smpError('ENVIRONMENT', `cannot lock ${dir}: ${(err as Error).message}`, {}, err);
      }
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > LOCK_STALE_MS) await rm(lock, { force: true });
      else if (Date.now() > deadline) throw smpError('TIMEOUT', `${lock} is held by another smp-lab process for over ${LOCK_WAIT_MS / 1000} s`);
      else await delay(25);
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}
