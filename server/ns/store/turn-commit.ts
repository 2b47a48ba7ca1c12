// Group commit for acknowledged writes: run() executes a write at once inside the transaction of
// the current event-loop turn (later reads on the connection see it, so two registrations of one
// computer in one turn still find each other) and resolves only after that transaction has
// committed to disk, right after the turn (or after `delayMs`, or at `maxWrites`). One fsync
// then covers every write of the turn. Writes that do not go through run() must call
// beforeSyncWrite() first, which commits an open turn so nothing is ever acknowledged undurable.
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
}

export class TurnCommit {
  private waiters: Waiter[] = [];
  private open = false;
  private inRun = false;
  private closed = false;
  private immediate: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly rollbackHooks: (() => void)[] = [];
  /** Transactions committed and writes they carried (for tests and metrics). */
  commits = 0;
  writes = 0;

  constructor(private readonly db: Db, private readonly opts: TurnCommitOptions) {}

  /** Runs `fn` in the turn's transaction; resolves with its value (or rejects with its error) once committed. */
  run<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(smpError('STORE', 'the NS store is closed'));
    if (!this.open) {
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
      for (const w of waiters) w.resolve();
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const hook of this.rollbackHooks) hook();
      const e = smpError('STORE', `write not stored: ${(err as Error).message}`, {}, err);
      for (const w of waiters) w.reject(e);
    }
  }

  close(): void {
    this.commit();
    this.closed = true;
  }

  private schedule(): void {
    if (this.opts.delayMs > 0) this.timer ??= setTimeout(() => this.commit(), this.opts.delayMs);
    else this.immediate ??= setImmediate(() => this.commit());
  }
}
