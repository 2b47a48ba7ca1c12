// Deterministic file content for installers and lab packages: an AES-256-CTR keystream keyed by
// a seed string, so the same seed and size give the same bytes on every machine and start. Writes
// through a temporary file and a rename, so a crash never leaves a half file under the real name.
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

const CHUNK = 1 << 16;

/** A stream of `size` bytes: `header` first, then the keystream of `seed`. */
export function deterministicStream(seed: string, size: number, header: Buffer = Buffer.alloc(0)): Readable {
  const key = createHash('sha256').update(`smp-lab content\0${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(CHUNK);
  let left = size;
  let head = header.subarray(0, size);
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      let chunk: Buffer;
      if (head.length > 0) {
        chunk = head;
        head = Buffer.alloc(0);
      } else {
        chunk = cipher.update(left >= CHUNK ? zeros : zeros.subarray(0, left));
      }
      left -= chunk.length;
      this.push(chunk);
    },
  });
}

export interface WrittenFile {
  readonly size: number;
  readonly sha256: string;
  /** False when a file of the right size was already there and kept. */
  readonly written: boolean;
}

/**
 * Makes `path` hold the deterministic content unless a file of that size is already present and
 * `knownSha256` is given (trusted from the store); returns the content hash.
 */
export async function ensureDeterministicFile(path: string, seed: string, size: number, header?: Buffer, knownSha256?: string): Promise<WrittenFile> {
  if (knownSha256 !== undefined) {
    const st = await stat(path).catch(() => undefined);
    if (st?.isFile() && st.size === size) return { size, sha256: knownSha256, written: false };
  }
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const hash = createHash('sha256');
  const src = deterministicStream(seed, size, header);
  src.on('data', (c: Buffer) => hash.update(c));
  await pipeline(src, createWriteStream(tmp));
  await rename(tmp, path);
  return { size, sha256: hash.digest('hex'), written: true };
}

/** SHA-256 of the deterministic content without writing it (for checks and tests). */
export async function deterministicSha256(seed: string, size: number, header?: Buffer): Promise<string> {
  const hash = createHash('sha256');
  for await (const c of deterministicStream(seed, size, header)) hash.update(c as Buffer);
  return hash.digest('hex');
}
