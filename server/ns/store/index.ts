// The NS store: one SQLite database (file in the --data folder, or RAM for --store memory) and one
// typed repository per table group of STORE_MODULES. Opening runs every module's schema; closing
// flushes pending group commits first. Nothing outside server/ns opens the database.
import { openDatabase, type Db, type StoreKind } from './database.js';
import { DEFAULT_STORE_TUNING, type Closable, type StoreModuleContext, type StoreTuning } from './module.js';
import { STORE_MODULES } from './modules.js';
import { TurnCommit } from './turn-commit.js';
import { startCheckpointer } from './checkpointer.js';

export type { StoreKind } from './database.js';
export type { StoreTuning } from './module.js';
export { DEFAULT_STORE_TUNING } from './module.js';

type Modules = typeof STORE_MODULES;
export type StoreTables = { readonly [K in keyof Modules]: ReturnType<Modules[K]['open']> };

export type NsStore = StoreTables & {
  readonly kind: StoreKind;
  /** Database file, or `:memory:`. */
  readonly path: string;
  readonly db: Db;
  /** Group commit of acknowledged writes (see turn-commit.ts). */
  readonly commit: TurnCommit;
  /** WAL checkpoints run by the checkpoint worker (0 for a memory store). */
  readonly checkpoints: () => number;
  close(): Promise<void>;
};

export interface StoreOptions {
  readonly kind: StoreKind;
  readonly dataDir: string;
  readonly tuning?: Partial<StoreTuning>;
  readonly now?: () => number;
}

/** How often the checkpoint worker moves committed WAL pages into the database file. */
const CHECKPOINT_INTERVAL_MS = 500;

export function openStore(opts: StoreOptions): NsStore {
  const { db, path } = openDatabase(opts);
  const options = { ...DEFAULT_STORE_TUNING, ...opts.tuning };
  const commit = new TurnCommit(db, { delayMs: options.eventBatchMs, maxWrites: options.eventBatchMax,
    walPath: opts.kind === 'sqlite' ? `${path}-wal` : null });
  const ctx: StoreModuleContext = { kind: opts.kind, now: opts.now ?? Date.now, options, commit };
  const tables: Record<string, unknown> = {};
  try {
    for (const [key, mod] of Object.entries(STORE_MODULES)) {
      for (const ddl of mod.schema) db.exec(ddl);
      tables[key] = mod.open(db, ctx);
    }
  } catch (err) {
    db.close();
    throw err;
  }
  const checkpointer = opts.kind === 'sqlite' ? startCheckpointer(db, path, CHECKPOINT_INTERVAL_MS) : null;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await checkpointer?.stop();
    for (const t of Object.values(tables)) await (t as Closable).close?.();
    await commit.close();
    db.close();
  };
  return { ...(tables as StoreTables), kind: opts.kind, path, db, commit, checkpoints: () => checkpointer?.runs() ?? 0, close };
}
