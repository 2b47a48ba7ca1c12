// What a store module is: one table group (resources, policies, events, tasks, packages...) with
// its schema and a typed repository over one shared database. Modules never reach into another
// module's tables; they meet through GUIDs.
import type { Db, StoreKind } from './database.js';
import type { TurnCommit } from './turn-commit.js';

export interface StoreModuleContext {
  readonly kind: StoreKind;
  /** Milliseconds since the epoch; injectable so tests can pin time. */
  readonly now: () => number;
  /** Store options some modules read (e.g. the event batch window). */
  readonly options: StoreTuning;
  /** Group commit of acknowledged writes; every write outside commit.run() calls commit.beforeSyncWrite() first. */
  readonly commit: TurnCommit;
}

export interface StoreTuning {
  /** Extra time an event waits for others to share its group commit (ms); 0: commit after the current event-loop turn. */
  readonly eventBatchMs: number;
  /** Largest number of events written in one commit. */
  readonly eventBatchMax: number;
}

export const DEFAULT_STORE_TUNING: StoreTuning = { eventBatchMs: 0, eventBatchMax: 1024 };

export interface StoreModule<T> {
  readonly name: string;
  /** Idempotent DDL (CREATE ... IF NOT EXISTS), run in order at open. */
  readonly schema: readonly string[];
  open(db: Db, ctx: StoreModuleContext): T;
}

/** A repository may need to finish work (flush a batch) before the database closes. */
export interface Closable {
  close?(): Promise<void>;
}

export const defineStoreModule = <T>(m: StoreModule<T>): StoreModule<T> => m;
