// The fleet's RSA-2048 policyKey pool. Key generation must not stall a large fleet, so a fixed pool
// of K keys is made once with node:crypto's asynchronous generator (libuv thread pool, off the event
// loop) and agent i uses key i mod K. The pool is kept in the state directory per seed, as a real
// agent keeps its key, so a rerun of the same seed re-registers with the same keys (no re-key refusal).
import { generateKeyPair, createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { smpError } from '../../shared/errors.js';
import { policyKeyFromJwk } from '../../shared/protocol/policy-key.js';

const generate = promisify(generateKeyPair);

export interface PoolKey {
  readonly policyKey: string;
  readonly privateKey: KeyObject;
}

interface PoolFile {
  kind: 'smp-lab-agent-keys';
  version: 1;
  seed: string;
  keys: Array<{ policyKey: string; privatePem: string }>;
}

export class KeyPool {
  readonly keys: readonly PoolKey[];
  readonly path: string | null;
  readonly generated: number;

  private constructor(keys: PoolKey[], path: string | null, generated: number) {
    this.keys = keys;
    this.path = path;
    this.generated = generated;
  }

  key(index: number): PoolKey {
    return this.keys[index % this.keys.length]!;
  }

  /** Loads the seed's pool from `stateDir` (or makes it); `stateDir` null keeps it in memory only. */
  static async open(seed: string, size: number, stateDir: string | null): Promise<KeyPool> {
    if (!Number.isInteger(size) || size < 1 || size > 4096) throw smpError('CONFIG', 'key pool size must be 1-4096');
    const path = stateDir === null ? null : join(stateDir, `keys-${createHash('sha256').update(seed).digest('hex').slice(0, 16)}.json`);
    const existing = path !== null && existsSync(path) ? read(path, seed) : [];
    const need = Math.max(0, size - existing.length);
    const made = await Promise.all(Array.from({ length: need }, async () => {
      const { publicKey, privateKey } = await generate('rsa', { modulusLength: 2048, publicExponent: 65537 });
      return { policyKey: policyKeyFromJwk(publicKey.export({ format: 'jwk' })), privateKey };
    }));
    const keys = [...existing, ...made];
    if (path !== null && need > 0) {
      mkdirSync(stateDir!, { recursive: true });
      const file: PoolFile = { kind: 'smp-lab-agent-keys', version: 1, seed,
        keys: keys.map((k) => ({ policyKey: k.policyKey, privatePem: k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() })) };
      // One temporary name per process: shards started together share the state folder.
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(file), { mode: 0o600 });
      renameSync(tmp, path);
    }
    return new KeyPool(keys, path, need);
  }
}

function read(path: string, seed: string): PoolKey[] {
  try {
    const f = JSON.parse(readFileSync(path, 'utf8')) as PoolFile;
    if (f.kind !== 'smp-lab-agent-keys' || f.version !== 1 || f.seed !== seed || !Array.isArray(f.keys)) throw new Error('not a key pool of this seed');
    return f.keys.map((k) => ({ policyKey: k.policyKey, privateKey: createPrivateKey(k.privatePem) }));
  } catch (err) {
    throw smpError('STORE', `agent key pool ${path} is unreadable (${(err as Error).message}); delete it to make a new one (the NS will then refuse the changed keys of registered agents)`, { path }, err);
  }
}
