// Package multicast of one fleet process (docs/protocol.md section 3): decides, per agent that needs a
// package, whether it downloads it directly (small package, too large, multicast off), becomes the
// multicast master (highest rank among the process's agents waiting in the election window, no master
// heard on the group) or receives; routes the shared socket's datagrams to the sessions; paces the
// master's blocks; ends waits on `done`, a full bitmap or silence. Never throws at the delivery step.
import { setTimeout as delay } from 'node:timers/promises';
import type { AgentIdentity } from '../fleet/identity.js';
import { multicastRank } from '../fleet/multicast-rank.js';
import { PackageMulticastSocket } from '../listen/package-multicast-socket.js';
import type { Snapshot } from '../../shared/protocol/package-snapshot.js';
import { decodePkgMulticast, encodePkgMulticast, PkgKind, type PkgMessage } from '../../shared/protocol/pkg-multicast.js';
import { MulticastSession, sessionKey, type Received } from './multicast-session.js';

export interface PackageMulticastOptions {
  readonly port: number;
  readonly group: string;
  readonly interfaceAddress: string;
  /** Packages smaller than this download directly over HTTP(S) (default 64 KiB). */
  readonly minBytes?: number;
  /** Packages larger than this download directly (the process holds one copy while receiving; default 256 MiB). */
  readonly maxBytes?: number;
  /** How long agents wait for a master's announce before electing one of their own (default 1 s). */
  readonly electionMs?: number;
  /** No announce or block for this long: the wait ends and what is missing comes over HTTP(S) (default 10 s). */
  readonly waitMs?: number;
  /** Block size a master sends (default 8,192; at most 32,768). */
  readonly blockSize?: number;
  /** How long an elected master listens for a higher rank before it downloads (default 300 ms). */
  readonly confirmMs?: number;
  /** A master's send rate in bytes per second (default 50 MB/s). */
  readonly rateBytesPerS?: number;
  /** Test hook: the master skips the data datagram of these blocks (a lost block on the wire). */
  readonly dropBlock?: (block: number) => boolean;
}

export type FallbackReason = 'not-enabled' | 'small' | 'too-large' | 'busy';
export type Role =
  | { readonly kind: 'master'; readonly session: MulticastSession }
  /** `received`: the agent has listened since it asked (also through the election window). */
  | { readonly kind: 'receiver'; readonly session: MulticastSession; readonly received: Promise<Received> }
  | { readonly kind: 'http'; readonly reason: FallbackReason };

/** Counters by closed vocabularies only (for metrics and reports). */
export class PackageMulticastCounters {
  /** Packages agents completed, by how their bytes came. */
  readonly delivered = { multicast: 0, mixed: 0, http: 0 };
  /** Package bytes agents took, by how they came. */
  readonly bytes = { multicast: 0, http: 0 };
  readonly sent = { announce: 0, data: 0, done: 0 };
  readonly received = { announce: 0, data: 0, done: 0 };
  /** Datagrams ignored: undecodable, for no session here, or not matching the snapshot. */
  readonly ignored = { malformed: 0, 'no-session': 0, mismatch: 0 };
  /** Why agents went to HTTP(S) for (part of) a package. */
  readonly fallbacks = { 'not-enabled': 0, small: 0, 'too-large': 0, busy: 0, 'no-master': 0, 'missing-blocks': 0, 'master-failed': 0 };
  masters = 0;
}

const MAX_SESSIONS = 16;

export class PackageMulticast {
  readonly counters = new PackageMulticastCounters();
  private readonly o: Required<Omit<PackageMulticastOptions, 'dropBlock'>> & Pick<PackageMulticastOptions, 'dropBlock'>;
  private readonly socket: PackageMulticastSocket;
  private readonly sessions = new Map<string, MulticastSession>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private watchdog: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(o: PackageMulticastOptions) {
    this.o = { minBytes: 65_536, maxBytes: 256 * 1024 * 1024, electionMs: 1000, confirmMs: 300, waitMs: 10_000, blockSize: 8192, rateBytesPerS: 50_000_000, ...o };
    this.socket = new PackageMulticastSocket({ port: o.port, group: o.group, interfaceAddress: o.interfaceAddress, onMessage: (m) => this.receive(m) });
  }

  /** The group as a URL, as status events name it. */
  get url(): string {
    return `multicast://${this.o.group}:${this.socket.port}/`;
  }

  async listen(): Promise<{ port: number; group: string }> {
    const r = await this.socket.listen();
    this.watchdog = setInterval(() => this.sweep(), Math.min(1000, this.o.waitMs / 4));
    this.watchdog.unref();
    return r;
  }

  get port(): number {
    return this.socket.port;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sessions.values()) this.end(s, 'closed');
    await this.socket.close();
  }

  /** An agent downloads directly over HTTP(S), for `reason` (counted). */
  direct(reason: FallbackReason): Role {
    this.counters.fallbacks[reason] += 1;
    return { kind: 'http', reason };
  }

  /** The role of agent `k` for the package of `snap`: resolves when the election (if any) is over. */
  async acquire(k: number, id: AgentIdentity, snap: Snapshot): Promise<Role> {
    const size = snap.files.reduce((n, f) => n + f.size, 0);
    if (size < this.o.minBytes) return this.direct('small');
    if (size > this.o.maxBytes) return this.direct('too-large');
    const key = sessionKey(snap.packageId, snap.version);
    let s = this.sessions.get(key);
    if (!s) {
      if (this.sessions.size >= MAX_SESSIONS || this.closed) return this.direct('busy');
      s = new MulticastSession(snap);
      this.sessions.set(key, s);
      const session = s;
      this.later(this.o.electionMs, () => this.elect(session));
    }
    // The agent listens from now on: blocks of a master heard during the election window count.
    const received = s.wait(k);
    if (s.state !== 'electing') return { kind: 'receiver', session: s, received };
    const session = s;
    const master = await new Promise<boolean>((resolve) => session.candidates.push({ k, rank: multicastRank(id), name: id.name, guid: id.guid, resolve }));
    if (!master) return { kind: 'receiver', session, received };
    session.drop(k);
    return { kind: 'master', session };
  }

  /**
   * An elected master listens a moment after its first announce before it downloads: a master of
   * another process elected at the same time with a higher rank is heard, and this one receives instead.
   */
  async confirm(s: MulticastSession): Promise<boolean> {
    await delay(this.o.confirmMs);
    const ok = s.local !== null && !s.local.stopped && !this.closed;
    if (ok) this.counters.masters += 1;
    return ok;
  }

  /** The master's package (downloaded and verified) to the group: announces, paced blocks, done. */
  async serve(s: MulticastSession, pkg: Buffer): Promise<void> {
    const m = s.local;
    if (!m || m.stopped || this.closed) return;
    const head = { packageGuid: s.snap.packageId, version: s.snap.version };
    const bs = this.o.blockSize;
    const blocks = Math.ceil(pkg.length / bs);
    const t0 = performance.now();
    let sent = 0;
    for (let n = 0; n < blocks && !m.stopped && !this.closed; n++) {
      const bytes = pkg.subarray(n * bs, Math.min(pkg.length, (n + 1) * bs));
      sent += bytes.length;
      if (!this.o.dropBlock?.(n)) {
        await this.socket.send(encodePkgMulticast({ kind: PkgKind.DATA, ...head, block: n, bytes }));
        this.counters.sent.data += 1;
      }
      const ahead = t0 + (sent * 1000) / this.o.rateBytesPerS - performance.now();
      if (ahead > 4) await delay(ahead);
    }
    if (m.stopped || this.closed) return;
    m.stopped = true;
    await this.sendDone(s);
  }

  /** The local master could not download the package: `done` at once, so every receiver falls back. */
  async abandon(s: MulticastSession): Promise<void> {
    if (!s.local || s.local.stopped) return;
    s.local.stopped = true;
    await this.sendDone(s);
    this.end(s, 'abandoned');
  }

  private async sendDone(s: MulticastSession): Promise<void> {
    await this.socket.send(encodePkgMulticast({ kind: PkgKind.DONE, packageGuid: s.snap.packageId, version: s.snap.version }));
    this.counters.sent.done += 1;
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, ms);
    this.timers.add(t);
  }

  /** End of the election window: a master heard on the group, or the best local candidate. */
  private elect(s: MulticastSession): void {
    if (s.state !== 'electing') return;
    s.state = 'running';
    s.lastHeard = performance.now();
    const cands = s.candidates.splice(0);
    let best = -1;
    if (!s.heard) {
      cands.forEach((c, i) => {
        if (!s.isWaiting(c.k)) return; // it already received every block
        const b = cands[best];
        if (!b || c.rank > b.rank || (c.rank === b.rank && c.guid < b.guid)) best = i;
      });
    }
    if (best >= 0) {
      const c = cands[best]!;
      s.local = { k: c.k, name: c.name, rank: c.rank, stopped: false };
      s.accept({ kind: PkgKind.ANNOUNCE, packageGuid: s.snap.packageId, version: s.snap.version, size: s.size, blockSize: this.o.blockSize, rank: c.rank, master: c.name });
      this.announce(s);
    }
    cands.forEach((c, i) => c.resolve(i === best));
  }

  /** The local master's announce, now and every second until it stops. */
  private announce(s: MulticastSession): void {
    const m = s.local;
    if (!m || m.stopped || this.closed || s.state === 'ended') return;
    void this.socket.send(encodePkgMulticast({ kind: PkgKind.ANNOUNCE, packageGuid: s.snap.packageId, version: s.snap.version, size: s.size,
      blockSize: this.o.blockSize, rank: m.rank, master: m.name }));
    this.counters.sent.announce += 1;
    this.later(1000, () => this.announce(s));
  }

  private receive(buf: Buffer): void {
    let m: PkgMessage;
    try {
      m = decodePkgMulticast(buf);
    } catch {
      this.counters.ignored.malformed += 1;
      return;
    }
    const kind = m.kind === PkgKind.ANNOUNCE ? 'announce' : m.kind === PkgKind.DATA ? 'data' : 'done';
    this.counters.received[kind] += 1;
    const s = this.sessions.get(sessionKey(m.packageGuid, m.version));
    if (!s || s.state === 'ended') {
      this.counters.ignored['no-session'] += 1;
      return;
    }
    if (m.kind === PkgKind.ANNOUNCE) {
      if (!s.accept(m)) return void (this.counters.ignored.mismatch += 1);
      s.lastHeard = performance.now();
      const l = s.local;
      if (l && m.master === l.name) return; // its own announce, looped back
      const beats = (o: { rank: number; name: string }): boolean => m.rank > o.rank || (m.rank === o.rank && m.master < o.name);
      if ((!s.heard || beats(s.heard)) && (!l || beats(l))) s.heard = { name: m.master, rank: m.rank };
      // A master that hears a higher rank for the same package stops (section 3).
      if (l && !l.stopped && beats(l)) l.stopped = true;
    } else if (m.kind === PkgKind.DATA) {
      if (s.blockSize === 0) return void (this.counters.ignored.mismatch += 1); // no announce yet: unknown geometry
      if (!s.block(m.block, m.bytes)) return void (this.counters.ignored.mismatch += 1);
      s.lastHeard = performance.now();
    } else if (s.state === 'running') {
      this.end(s, 'done');
    } else if (s.heard) {
      // That master finished while these agents were still electing: what they missed needs a new master.
      s.heard = null;
    }
  }

  /** Sessions silent past the deadline end: their agents fetch what is missing over HTTP(S). */
  private sweep(): void {
    const now = performance.now();
    for (const s of this.sessions.values()) {
      if (s.state === 'running' && now - s.lastHeard > this.o.waitMs && (!s.local || s.local.stopped)) this.end(s, 'silence');
      else if (s.state === 'running' && s.local?.stopped && s.waiting === 0) this.end(s, 'done');
    }
  }

  private end(s: MulticastSession, why: 'done' | 'silence' | 'abandoned' | 'closed'): void {
    if (s.state === 'ended') return;
    if (s.state === 'electing') s.candidates.splice(0).forEach((c) => c.resolve(false));
    s.state = 'ended';
    if (s.local) s.local.stopped = true;
    this.sessions.delete(s.key);
    s.finishAll(why);
  }
}
