// One package multicast session of a fleet process: a (package, version) some of its agents need.
// Holds the election candidates, the blocks this process received (one copy, in a buffer the size of
// the package), and a bitmap of the blocks that arrived while an agent listened, one per cohort of
// agents that started listening between the same two blocks (they received the same blocks), so a
// block costs one step per cohort, not per agent. A file is taken from the buffer only when all its
// blocks are in the agent's bitmap and its SHA-256 matches the signed snapshot; the hash of a file's
// buffer bytes is computed once per session. Never sends.
import { createHash } from 'node:crypto';
import type { Snapshot } from '../../shared/protocol/package-snapshot.js';
import { blockCount, type Announce } from '../../shared/protocol/pkg-multicast.js';

export interface Candidate {
  readonly k: number;
  readonly rank: number;
  readonly name: string;
  readonly guid: string;
  readonly resolve: (master: boolean) => void;
}

/** What a waiting agent has when its session ends for it. */
export interface Received {
  /** Blocks it received (null: no announce was heard, nothing received); shared with its cohort, read only. */
  readonly bits: Uint8Array | null;
  /** Name of the master heard (empty when none). */
  readonly master: string;
  /** Why it ended: the master's `done`, every block in, silence past the deadline, the master failed, shutdown. */
  readonly end: 'done' | 'complete' | 'silence' | 'abandoned' | 'closed';
}

/** A run of a file's bytes [start, end) (offsets in the file): held from the group (its bytes) or missing (null). */
export interface FileRun {
  readonly start: number;
  readonly end: number;
  readonly bytes: Buffer | null;
}

/** Agents that started listening between the same two blocks, and the blocks they received since. */
interface Cohort {
  bits: Uint8Array | null;
  count: number;
  readonly members: Map<number, (r: Received) => void>;
}

/** A session's key: one per (package, version). */
export const sessionKey = (packageGuid: string, version: number): string => `${packageGuid}@${version}`;

const hasBit = (bits: Uint8Array, n: number): boolean => (bits[n >> 3]! & (1 << (n & 7))) !== 0;

export class MulticastSession {
  readonly key: string;
  readonly snap: Snapshot;
  readonly size: number;
  /** Byte offset of each snapshot file in the package (files concatenated in snapshot order). */
  readonly offsets: readonly number[];
  state: 'electing' | 'running' | 'ended' = 'electing';
  readonly candidates: Candidate[] = [];
  /** Best master heard on the group (name and rank), or none. */
  heard: { name: string; rank: number } | null = null;
  /** The local master, once elected (its agent index and announce values). */
  local: { k: number; name: string; rank: number; stopped: boolean } | null = null;
  lastHeard = performance.now();
  blockSize = 0;
  blocks = 0;
  private buf: Buffer | null = null;
  private have: Uint8Array | null = null;
  private readonly cohorts = new Set<Cohort>();
  private readonly cohortOf = new Map<number, Cohort>();
  /** The cohort new listeners join until the next block arrives. */
  private open: Cohort | null = null;
  private readonly verified = new Map<number, boolean>();

  constructor(snap: Snapshot) {
    this.snap = snap;
    this.key = sessionKey(snap.packageId, snap.version);
    let off = 0;
    this.offsets = snap.files.map((f) => { const o = off; off += f.size; return o; });
    this.size = off;
  }

  get waiting(): number {
    return this.cohortOf.size;
  }

  /** Accepts an announce's geometry (the first one that matches the snapshot); false when it does not. */
  accept(a: Announce): boolean {
    if (a.size !== this.size) return false;
    if (this.blockSize !== 0) return a.blockSize === this.blockSize;
    this.blockSize = a.blockSize;
    this.blocks = blockCount(this.size, this.blockSize);
    this.buf = Buffer.alloc(this.size);
    this.have = new Uint8Array(Math.ceil(this.blocks / 8));
    for (const c of this.cohorts) c.bits = new Uint8Array(this.have.length);
    return true;
  }

  /** An agent starts listening (its bitmap starts empty: blocks sent before it joined are missed). */
  wait(k: number): Promise<Received> {
    return new Promise((resolve) => {
      if (this.state === 'ended') return resolve({ bits: null, master: '', end: 'closed' });
      this.drop(k);
      if (!this.open) {
        this.open = { bits: this.have ? new Uint8Array(this.have.length) : null, count: 0, members: new Map() };
        this.cohorts.add(this.open);
      }
      this.open.members.set(k, resolve);
      this.cohortOf.set(k, this.open);
      if (this.blocks === 0 && this.blockSize !== 0) this.finish(k, 'complete');
    });
  }

  /** Stores a received block and marks it for every listening agent; false for a block of the wrong shape. */
  block(n: number, bytes: Buffer): boolean {
    if (!this.buf || !this.have || n >= this.blocks) return false;
    const start = n * this.blockSize;
    const len = Math.min(this.blockSize, this.size - start);
    if (bytes.length !== len) return false;
    const byte = n >> 3;
    const bit = 1 << (n & 7);
    if (!(this.have[byte]! & bit)) {
      bytes.copy(this.buf, start);
      this.have[byte]! |= bit;
    }
    if (this.open?.members.size === 0) this.cohorts.delete(this.open);
    this.open = null; // later listeners missed this block
    for (const c of this.cohorts) {
      if (!c.bits || c.bits[byte]! & bit) continue;
      c.bits[byte]! |= bit;
      c.count += 1;
      if (c.count === this.blocks) for (const k of [...c.members.keys()]) this.finish(k, 'complete');
    }
    return true;
  }

  isWaiting(k: number): boolean {
    return this.cohortOf.has(k);
  }

  /** Forgets an agent's wait without ending it (the elected master stops listening); its resolver, if any. */
  drop(k: number): ((r: Received) => void) | undefined {
    const c = this.cohortOf.get(k);
    if (!c) return undefined;
    this.cohortOf.delete(k);
    const resolve = c.members.get(k);
    c.members.delete(k);
    if (c.members.size === 0 && c !== this.open) this.cohorts.delete(c);
    return resolve;
  }

  /** Ends one agent's wait. */
  finish(k: number, end: Received['end']): void {
    const bits = this.cohortOf.get(k)?.bits ?? null;
    this.drop(k)?.({ bits, master: this.heard?.name ?? this.local?.name ?? '', end });
  }

  /** Ends every agent's wait (done, silence, the master failed, shutdown). */
  finishAll(end: Received['end']): void {
    for (const k of [...this.cohortOf.keys()]) this.finish(k, end);
  }

  /** True when file `i` can be taken from the received blocks for an agent with `bits`, verified. */
  fileFromBlocks(i: number, bits: Uint8Array | null): boolean {
    const f = this.snap.files[i]!;
    if (!this.buf || !bits) return false;
    const first = Math.floor(this.offsets[i]! / this.blockSize);
    const end = Math.ceil((this.offsets[i]! + f.size) / this.blockSize);
    for (let n = first; n < end; n++) if (!hasBit(bits, n)) return false;
    let ok = this.verified.get(i);
    if (ok === undefined) {
      ok = createHash('sha256').update(this.buf.subarray(this.offsets[i]!, this.offsets[i]! + f.size)).digest('hex') === f.sha256;
      this.verified.set(i, ok);
    }
    return ok;
  }

  /** File `i` as runs of blocks the agent holds (`bits`) and blocks it misses; null when it holds none of them. */
  runs(i: number, bits: Uint8Array | null): FileRun[] | null {
    const f = this.snap.files[i]!;
    if (!this.buf || !bits || f.size === 0) return null;
    const off = this.offsets[i]!;
    const bs = this.blockSize;
    const out: FileRun[] = [];
    let any = false;
    for (let n = Math.floor(off / bs); n * bs < off + f.size; n++) {
      const held = hasBit(bits, n);
      any ||= held;
      const start = Math.max(0, n * bs - off);
      const end = Math.min(f.size, (n + 1) * bs - off);
      const last = out[out.length - 1];
      if (last && (last.bytes !== null) === held) out[out.length - 1] = { start: last.start, end, bytes: held ? this.buf.subarray(off + last.start, off + end) : null };
      else out.push({ start, end, bytes: held ? this.buf.subarray(off + start, off + end) : null });
    }
    return any ? out : null;
  }
}
