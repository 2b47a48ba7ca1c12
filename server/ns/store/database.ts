// Opens the NS database: SQLite through better-sqlite3, WAL journal and synchronous=FULL so a
// committed transaction survives a crash or power cut. `memory` gives the same schema in RAM for
// throw-away load runs. Never used for anything but the NS store modules.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { smpError } from '../../../shared/errors.js';
import { makeDirSync } from '../../../shared/make-dir.js';

export type Db = Database.Database;
export type StoreKind = 'sqlite' | 'memory';

export interface DatabaseOptions {
  readonly kind: StoreKind;
  /** Folder of the database file (created when missing); ignored for `memory`. */
  readonly dataDir: string;
}

export const DB_FILE = 'ns.sqlite';

export function openDatabase(opts: DatabaseOptions): { db: Db; path: string } {
  const path = opts.kind === 'memory' ? ':memory:' : join(opts.dataDir, DB_FILE);
  let db: Db;
  try {
    if (opts.kind === 'sqlite') makeDirSync(opts.dataDir);
    db = new Database(path);
  } catch (err) {
    throw smpError('STORE', `cannot open the NS store at ${path}: ${(err as Error).message}`, { path }, err);
  }
  if (opts.kind === 'sqlite') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return { db, path };
}
