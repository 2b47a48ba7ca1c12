// The lab account's password check. A password given in the options is hashed in memory only; without
// one, a password is generated at first start, only its scrypt hash is stored in
// <data>/console-password.json (mode 0600), and the password itself is handed back once to be printed.
// Comparisons are constant-time; a password that passed once is remembered as an HMAC, not as text.
import { createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { join } from 'node:path';
import { smpError } from '../../../shared/errors.js';
import { PASSWORD_FILE } from './options.js';
import { readIfExists, writePrivate } from './secret-file.js';

interface StoredHash {
  readonly algorithm: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly keyLength: number;
  readonly salt: string;
  readonly hash: string;
}

const PARAMS = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

function scryptAsync(password: string, salt: Buffer, h: Omit<StoredHash, 'salt' | 'hash' | 'algorithm'>): Promise<Buffer> {
  const opts: ScryptOptions = { N: h.N, r: h.r, p: h.p, maxmem: 256 * h.N * h.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, h.keyLength, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

async function hashOf(password: string): Promise<StoredHash> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, PARAMS);
  return { algorithm: 'scrypt', ...PARAMS, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

function parseStored(text: string, path: string): StoredHash {
  const bad = () => smpError('CONFIG', `${path} is not a console password hash; delete it and restart to make a new password`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw bad();
  }
  const h = v as Partial<StoredHash>;
  const ints = [h.N, h.r, h.p, h.keyLength].every((x) => Number.isInteger(x) && (x as number) > 0);
  if (h.algorithm !== 'scrypt' || !ints || typeof h.salt !== 'string' || typeof h.hash !== 'string') throw bad();
  if ((h.N as number) > 1 << 20 || (h.keyLength as number) > 128) throw bad();
  return h as StoredHash;
}

export interface ConsoleAccount {
  readonly user: string;
  /** The generated password, only on the start that made it (print it once). */
  readonly generatedPassword: string | undefined;
  /** Where the hash is kept, or undefined when the password came from the options. */
  readonly passwordFile: string | undefined;
  /** Changes when the user or password changes: sessions and tokens of an older account stop working. */
  readonly generation: string;
  verify(user: string, password: string): Promise<boolean>;
}

export async function openAccount(user: string, given: string | undefined, dataDir: string, secret: Buffer): Promise<ConsoleAccount> {
  let stored: StoredHash;
  let generatedPassword: string | undefined;
  let passwordFile: string | undefined;
  if (given !== undefined) {
    if (given === '') throw smpError('CONFIG', 'the console password must not be empty');
    stored = await hashOf(given);
  } else {
    passwordFile = join(dataDir, PASSWORD_FILE);
    const text = readIfExists(passwordFile, 'console password hash');
    if (text !== undefined) stored = parseStored(text, passwordFile);
    else {
      generatedPassword = randomBytes(18).toString('base64url');
      stored = await hashOf(generatedPassword);
      writePrivate(passwordFile, `${JSON.stringify(stored, null, 2)}\n`);
    }
  }
  const mac = (s: string) => createHmac('sha256', secret).update(s).digest();
  const generation = mac(`generation\0${user}\0${given !== undefined ? `given\0${given}` : `stored\0${stored.hash}`}`)
    .subarray(0, 9).toString('base64url');
  const wantUser = mac(`user\0${user}`);
  const salt = Buffer.from(stored.salt, 'base64');
  const want = Buffer.from(stored.hash, 'base64');
  const cacheKey = randomBytes(32);
  let passed: Buffer | undefined;
  return {
    user, generatedPassword, passwordFile, generation,
    async verify(u, password) {
      const userOk = timingSafeEqual(mac(`user\0${u}`), wantUser);
      const seen = createHmac('sha256', cacheKey).update(password).digest();
      if (passed !== undefined && timingSafeEqual(seen, passed)) return userOk;
      const got = await scryptAsync(password, salt, stored);
      const ok = got.length === want.length && timingSafeEqual(got, want);
      if (ok) passed = seen;
      return ok && userOk;
    },
  };
}
