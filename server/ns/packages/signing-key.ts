// The NS package-signing key (Ed25519): made once at first start and kept as PKCS#8 PEM (0600) in
// the data folder, so snapshots signed before a restart still verify after it. Never leaves the
// process except as its public half (GetPackageInfo `sourceKey`).
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { smpError } from '../../../shared/errors.js';

export const SIGNING_KEY_FILE = 'ns-signing-key.pem';

export interface SigningKey {
  readonly privateKey: KeyObject;
  /** SPKI DER of the public key. */
  readonly publicSpki: Buffer;
  /** Base64 of publicSpki, as GetPackageInfo's `sourceKey` carries it. */
  readonly sourceKey: string;
}

function fromPrivate(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw smpError('CRYPTO', 'the NS signing key must be an Ed25519 key');
  const publicSpki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, publicSpki, sourceKey: publicSpki.toString('base64') };
}

/** Loads the key from `dir`, or makes and saves one; with no dir (memory store) the key lives in memory only. */
export async function loadOrCreateSigningKey(dir: string | undefined): Promise<SigningKey> {
  if (dir === undefined) return fromPrivate(generateKeyPairSync('ed25519').privateKey);
  const file = join(dir, SIGNING_KEY_FILE);
  let pem: string | undefined;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw smpError('STORE', `cannot read ${file}: ${(err as Error).message}`, {}, err);
  }
  if (pem !== undefined) {
    try {
      return fromPrivate(createPrivateKey(pem));
    } catch (err) {
      throw smpError('CRYPTO', `${file} is not a usable Ed25519 private key; remove it to make a new one`, {}, err);
    }
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  await mkdir(dir, { recursive: true });
  await writeFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code === 'EEXIST') return; // another start won the race; use its key below
    throw smpError('STORE', `cannot write ${file}: ${err.message}`, {}, err);
  });
  return fromPrivate(createPrivateKey(await readFile(file, 'utf8')));
}
