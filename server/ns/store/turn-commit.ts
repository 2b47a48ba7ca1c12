// Group commit for acknowledged writes: run() executes a write at once inside the transaction of
// the current event-loop turn (later reads on the connection see it, so two registrations of one
// computer in one turn still find each other) and resolves only after that transaction is on
// disk. The turn commits right after it (or after `delayMs`, or at `maxWrites`) without waiting
// for the disk (synchronous=NORMAL for that COMMIT only); the WAL file is then fdatasync'ed on the
// libuv thread pool, one sync at a time covering every commit before it, and the writers are
// answered when it returns. So the event loop never blocks on fsync, and nothing is acknowledged
// before it is durable. Writes outside run() call beforeSyncWrite() first and commit with
// synchronous=FULL themselves.
import { fdatasync, openSync, closeSync } from 'node:fs';
import { smpError } from '../../../shared/errors.js';
import type { Db } from './database.js';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export interface TurnCommitOptions {
  /** Extra wait for more writes before the commit (ms); 0 commits right after the current turn. */
  readonly delayMs: number;
  /** Writes after which the turn's transaction commits at once. */
  readonly maxWrites: number;
  /** The database's WAL file, synced after each commit; null for a store without a disk (memory). */
  readonly walPath: string | null;
}

export class TurnCommit {
  private waiters: Waiter[] = [];
  private open = false;
  private inRun = false;
  private closed = false;
  private immediate: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly rollbackHooks: (() => void)[] = [];
  /** Committed writers waiting for the next WAL sync, and whether one is running. */
  private unsynced: Waiter[] = [];
  private syncing = false;
  private walFd: number | null = null;
  private drained: (() => void) | null = null;
  /** Transactions committed and writes they carried (for tests and metrics). */
  commits = 0;
  writes = 0;
  syncs = 0;

  constructor(private readonly db: Db, private readonly opts: TurnCommitOptions) {}

  /** Runs `fn` in the turn's transaction; resolves with its value (or rejects with its error) once committed. */
  run<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(smpError('STORE', 'the NS store is closed'));
    if (!this.open) {
      // SQLite refuses to change the safety level inside a transaction: the turn's COMMIT is set not to
      // wait for the disk before BEGIN, and the connection is back to FULL right after the COMMIT.
      if (this.opts.walPath !== null) this.db.pragma('synchronous = NORMAL');
      this.db.exec('BEGIN IMMEDIATE');
      this.open = true;
    }
    let value: T;
    let failure: Error | null = null;
    this.inRun = true;
    try {
      value = fn();
    } catch (err) {
      failure = err as Error;
    } finally {
      this.inRun = false;
    }
    this.writes += 1;
    const done = new Promise<T>((resolve, reject) => {
      this.waiters.push({ resolve: () => (failure === null ? resolve(value) : reject(failure)), reject });
    });
    if (this.waiters.length >= this.opts.maxWrites) this.commit();
    else this.schedule();
    return done;
  }

  /** Called after a failed commit rolled the turn back (caches of rows written in it must be dropped). */
  onRollback(hook: () => void): void {
    this.rollbackHooks.push(hook);
  }

  /** Commits an open turn first; every write outside run() calls this so it is durable when it returns. */
  beforeSyncWrite(): void {
    if (this.open && !this.inRun) this.commit();
  }

  /**
   * A write nobody is answered for (e.g. marking events processed: after a crash they are only
   * processed again): commits an open turn first, then runs `fn` in its own transaction without
   * waiting for the disk; the next synced commit makes it durable with it.
   */
  unacknowledged<T>(fn: () => T): T {
    this.beforeSyncWrite();
    if (this.opts.walPath === null) return this.db.transaction(fn)();
    this.db.pragma('synchronous = NORMAL');
    try {
      return this.db.transaction(fn)();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  /** Commits the turn's transaction now and settles its writers. */
  commit(): void {
    if (this.immediate) clearImmediate(this.immediate);
    if (this.timer) clearTimeout(this.timer);
    this.immediate = null;
    this.timer = null;
    if (!this.open) return;
    const waiters = this.waiters;
    this.waiters = [];
    this.open = false;
    try {
      this.db.exec('COMMIT');
      this.commits += 1;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      if (this.opts.walPath !== null) this.db.pragma('synchronous = FULL');
      for (const hook of this.rollbackHooks) hook();
      const e = smpError('STORE', `write not stored: ${(err as Error).message}`, {}, err);
      for (const w of waiters) w.reject(e);
      return;
    }
    if (this.opts.walPath === null) {
      for (const w of waiters) w.resolve();
      return;
    }
    this.db.pragma('synchronous = FULL');
    this.unsynced.push(...waiters);
    if (!this.syncing) this.sync();
  }

  /** Commits what is open and resolves once every committed writer has been answered. */
  async close(): Promise<void> {
    this.commit();
    this.closed = true;
    if (this.syncing) await new Promise<void>((resolve) => (this.drained = resolve));
    if (this.walFd !== null) closeSync(this.walFd);
    this.walFd = null;
  }

  /** One fdatasync of the WAL for every writer committed so far; the next starts when it returns. */
  private sync(): void {
    const batch = this.unsynced;
    this.unsynced = [];
    this.syncing = true;
    const settle = (err: Error | null): void => {
      this.syncs += 1;
      if (err) {
        const e = smpError('STORE', `write committed but not confirmed on disk: ${err.message}`, {}, err);
        for (const w of batch) w.reject(e);
      } else for (const w of batch) w.resolve();
      this.syncing = false;
      if (this.unsynced.length > 0) this.sync();
      else if (this.drained) this.drained();
    };
    try {
      this.walFd ??= openSync(this.opts.walPath!, 'r');
    } catch (err) {
      settle(err as Error);
      return;
    }
    fdatasync(this.walFd, settle);
  }

  private schedule(): void {
    if (this.opts.delayMs > 0) this.timer ??= setTimeout(() => this.commit(), this.opts.delayMs);
    else this.immediate ??= setImmediate(() => this.commit());
  }
}
