// Group commit: the writes of one turn share one commit, are visible to later reads at once, are
// settled only after COMMIT, and a failed commit rejects every writer and rolls the turn back.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { TurnCommit } from '../../../server/ns/store/turn-commit.js';

function lab() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  db.exec(`CREATE TABLE p (id INTEGER PRIMARY KEY);
    CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)`);
  return { db, commit: new TurnCommit(db, { delayMs: 0, maxWrites: 1000, walPath: null }) };
}
const count = (db: Database.Database, table: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

t.test('writes of one turn share one commit and are readable before it', async (t) => {
  const { db, commit } = lab();
  let settled = 0;
  const a = commit.run(() => db.prepare('INSERT INTO p (id) VALUES (1)').run()).then(() => (settled += 1));
  const b = commit.run(() => count(db, 'p')).then((n) => {
    settled += 1;
    return n;
  });
  t.equal(db.inTransaction, true, 'the turn holds one open transaction');
  await Promise.resolve();
  t.equal(settled, 0, 'nobody is answered before the commit');
  t.equal(await b, 1, 'the second write saw the first');
  await a;
  t.equal(commit.commits, 1);
  t.equal(commit.writes, 2);
  t.equal(db.inTransaction, false);
});

t.test('a synchronous write outside run() commits the open turn first', async (t) => {
  const { db, commit } = lab();
  const a = commit.run(() => db.prepare('INSERT INTO p (id) VALUES (1)').run());
  commit.beforeSyncWrite();
  t.equal(db.inTransaction, false, 'committed at once');
  t.equal(commit.commits, 1);
  await a;
});

t.test('an error thrown by a write reaches its caller after the commit; what it wrote before stays', async (t) => {
  const { db, commit } = lab();
  await t.rejects(commit.run(() => {
    db.prepare('INSERT INTO p (id) VALUES (7)').run();
    throw new Error('refused after a write');
  }), /refused after a write/);
  t.equal(count(db, 'p'), 1);
});

t.test('a failed commit rejects every writer of the turn, rolls back and calls the rollback hooks', async (t) => {
  const { db, commit } = lab();
  let hooks = 0;
  commit.onRollback(() => (hooks += 1));
  const good = commit.run(() => db.prepare('INSERT INTO p (id) VALUES (1)').run());
  const bad = commit.run(() => db.prepare('INSERT INTO c (id, p) VALUES (1, 99)').run()); // deferred FK: fails at COMMIT
  await t.rejects(good, { code: 'SMP_ERR_STORE' });
  await t.rejects(bad, { code: 'SMP_ERR_STORE' });
  t.equal(hooks, 1);
  t.equal(count(db, 'p'), 0, 'the whole turn is rolled back');
  t.equal(db.inTransaction, false);
  await commit.run(() => db.prepare('INSERT INTO p (id) VALUES (2)').run());
  t.equal(count(db, 'p'), 1, 'the next turn commits normally');
});

t.test('maxWrites commits in the middle of a turn', async (t) => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE p (id INTEGER PRIMARY KEY)');
  const commit = new TurnCommit(db, { delayMs: 0, maxWrites: 3, walPath: null });
  const all = [1, 2, 3, 4].map((id) => commit.run(() => db.prepare('INSERT INTO p (id) VALUES (?)').run(id)));
  t.equal(commit.commits, 1, 'the third write committed the first three');
  await Promise.all(all);
  t.equal(commit.commits, 2);
});

t.test('on disk: the turn commits without waiting, writers are answered after the WAL sync', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smp-lab-turn-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'x.sqlite');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE p (id INTEGER PRIMARY KEY)');
  const commit = new TurnCommit(db, { delayMs: 0, maxWrites: 2, walPath: `${path}-wal` });
  let answered = 0;
  const writes = [1, 2].map((id) => commit.run(() => db.prepare('INSERT INTO p (id) VALUES (?)').run(id)).then(() => (answered += 1)));
  t.equal(commit.commits, 1, 'committed at maxWrites');
  await Promise.resolve();
  t.equal(answered, 0, 'not answered before the WAL sync returned');
  await Promise.all(writes);
  t.ok(commit.syncs >= 1);
  t.equal(db.pragma('synchronous', { simple: true }), 2, 'the connection is back to FULL for other writers');
  const late = commit.run(() => db.prepare('INSERT INTO p (id) VALUES (3)').run());
  await commit.close();
  await late;
  db.close();
  const again = new Database(path);
  t.equal(count(again, 'p'), 3, 'every answered write is in the database');
  again.close();
});
