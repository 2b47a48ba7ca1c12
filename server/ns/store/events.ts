// Posted NSEs, durable before they are acknowledged: append() resolves only after the transaction
// holding the event has committed (WAL, synchronous=FULL). Events arriving close together share one
// commit (group commit); a batch waits at most `eventBatchMs` or until `eventBatchMax` events.
import type { Statement } from 'better-sqlite3';
import { isSmpError, smpError } from '../../../shared/errors.js';
import type { Db } from './database.js';
import { defineStoreModule, type StoreModuleContext } from './module.js';

/** The event router's file queues (NSCap\EvtQFast, EvtQueue, EvtQSlow, EvtQLarge). */
export type EventQueue = 'fast' | 'normal' | 'slow' | 'large';
export const EVENT_QUEUES: readonly EventQueue[] = ['fast', 'normal', 'slow', 'large'];
export type EventState = 'queued' | 'processed' | 'failed';

export interface NewEvent {
  readonly queue: EventQueue;
  readonly page: string;
  readonly clientIp: string;
  readonly to: string | null;
  readonly msgId: string | null;
  readonly resourceGuid: string | null;
  /** Decompressed NSE XML. */
  readonly body: Buffer;
}

export interface StoredEvent extends Omit<NewEvent, 'body'> {
  readonly id: number;
  readonly receivedAt: number;
  readonly size: number;
  readonly state: EventState;
  readonly note: string | null;
}

interface Row {
  id: number; received_at: number; queue: EventQueue; page: string; client_ip: string; to_item: string | null;
  msg_id: string | null; resource_guid: string | null; size: number; state: EventState; note: string | null;
}

const toEvent = (r: Row): StoredEvent => ({
  id: r.id, receivedAt: r.received_at, queue: r.queue, page: r.page, clientIp: r.client_ip, to: r.to_item,
  msgId: r.msg_id, resourceGuid: r.resource_guid, size: r.size, state: r.state, note: r.note,
});

export interface EventMark {
  readonly id: number;
  readonly queue: EventQueue;
  readonly state: Exclude<EventState, 'queued'>;
  readonly note?: string;
}

const COLUMNS = 'id, received_at, queue, page, client_ip, to_item, msg_id, resource_guid, size, state, note';

export class EventTable {
  private readonly s: Record<string, Statement>;
  private readonly depths = new Map<EventQueue, number>(EVENT_QUEUES.map((q) => [q, 0]));
  private closed = false;

  constructor(private readonly db: Db, private readonly ctx: StoreModuleContext) {
    this.s = {
      insert: db.prepare(`INSERT INTO events (received_at, queue, page, client_ip, to_item, msg_id, resource_guid, size,
        state, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)`),
      get: db.prepare(`SELECT ${COLUMNS} FROM events WHERE id = ?`),
      body: db.prepare('SELECT body FROM events WHERE id = ?'),
      next: db.prepare(`SELECT ${COLUMNS} FROM events WHERE state = 'queued' AND queue = ? ORDER BY id LIMIT ?`),
      mark: db.prepare('UPDATE events SET state = ?, note = ? WHERE id = ? AND state = \'queued\''),
      count: db.prepare('SELECT COUNT(*) AS n FROM events'),
      // Retention: processed events only (a queued event is an acknowledged write not yet handled).
      purgeAge: db.prepare('DELETE FROM events WHERE state != \'queued\' AND received_at < ?'),
      purgeCount: db.prepare(`DELETE FROM events WHERE state != 'queued' AND id <= (SELECT id FROM events
        WHERE state != 'queued' ORDER BY id DESC LIMIT 1 OFFSET ?)`),
      list: db.prepare(`SELECT ${COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?`),
      forResource: db.prepare(`SELECT ${COLUMNS} FROM events WHERE resource_guid = ? ORDER BY id DESC LIMIT ?`),
      depths: db.prepare('SELECT queue, COUNT(*) AS n FROM events WHERE state = \'queued\' GROUP BY queue'),
    };
    for (const r of this.s['depths']!.all() as { queue: EventQueue; n: number }[]) this.depths.set(r.queue, r.n);
  }

  /** Resolves with the event id once the event is committed to disk (group commit, see turn-commit.ts). */
  async append(event: NewEvent): Promise<number> {
    if (this.closed) throw smpError('STORE', 'the event store is closed');
    this.depths.set(event.queue, (this.depths.get(event.queue) ?? 0) + 1);
    try {
      return await this.ctx.commit.run(() => Number(this.s['insert']!.run(this.ctx.now(), event.queue, event.page, event.clientIp,
        event.to, event.msgId, event.resourceGuid, event.body.length, event.body).lastInsertRowid));
    } catch (err) {
      this.depths.set(event.queue, Math.max(0, (this.depths.get(event.queue) ?? 1) - 1));
      throw isSmpError(err) ? err : smpError('STORE', `event not stored: ${(err as Error).message}`, {}, err);
    }
  }

  /** Queued (acknowledged, not yet processed) events in a queue, counting the batch in flight. */
  depth(queue: EventQueue): number {
    return this.depths.get(queue) ?? 0;
  }

  get(id: number): StoredEvent | undefined {
    const row = this.s['get']!.get(id) as Row | undefined;
    return row && toEvent(row);
  }

  body(id: number): Buffer | undefined {
    return (this.s['body']!.get(id) as { body: Buffer } | undefined)?.body;
  }

  nextQueued(queue: EventQueue, limit: number): StoredEvent[] {
    return (this.s['next']!.all(queue, limit) as Row[]).map(toEvent);
  }

  /**
   * Marks queued events done; returns how many changed. The marks are not acknowledged writes (a
   * crash before the next fsync only means those events are processed again), so this commit does
   * not wait for the disk: the next event commit (synchronous=FULL) makes it durable with it.
   */
  mark(updates: readonly EventMark[]): number {
    return this.ctx.commit.unacknowledged(() => {
      let changed = 0;
      for (const u of updates) {
        if (this.s['mark']!.run(u.state, u.note ?? null, u.id).changes === 1) {
          changed += 1;
          this.depths.set(u.queue, Math.max(0, (this.depths.get(u.queue) ?? 1) - 1));
        }
      }
      return changed;
    });
  }

  /**
   * Deletes processed events received before `olderThan` (ms since the epoch) and, past `keep`, the
   * oldest processed ones; returns how many went. Not an acknowledged write: it rides the next fsync.
   */
  purge(olderThan: number | null, keep: number | null): number {
    return this.ctx.commit.unacknowledged(() => {
      let n = olderThan === null ? 0 : this.s['purgeAge']!.run(olderThan).changes;
      if (keep !== null) n += this.s['purgeCount']!.run(keep).changes;
      return n;
    });
  }

  list(afterId = 0, limit = 100): StoredEvent[] {
    return (this.s['list']!.all(afterId, Math.min(limit, 10000)) as Row[]).map(toEvent);
  }

  /** A computer's latest events, newest first (the console's computer page). */
  forResource(guid: string, limit = 50): StoredEvent[] {
    return (this.s['forResource']!.all(guid, Math.min(limit, 1000)) as Row[]).map(toEvent);
  }

  count(): number {
    return (this.s['count']!.get() as { n: number }).n;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export const eventsModule = defineStoreModule({
  name: 'events',
  schema: [
    `CREATE TABLE IF NOT EXISTS events (
      id INTEGER PRIMARY KEY AUTOINCREMENT, received_at INTEGER NOT NULL,
      queue TEXT NOT NULL CHECK (queue IN ('fast', 'normal', 'slow', 'large')),
      page TEXT NOT NULL, client_ip TEXT NOT NULL, to_item TEXT, msg_id TEXT, resource_guid TEXT,
      size INTEGER NOT NULL, state TEXT NOT NULL CHECK (state IN ('queued', 'processed', 'failed')),
      note TEXT, body BLOB NOT NULL)`,
    'CREATE INDEX IF NOT EXISTS events_queued ON events (queue, state, id)',
    'CREATE INDEX IF NOT EXISTS events_resource ON events (resource_guid, id)',
  ],
  open: (db, ctx) => new EventTable(db, ctx),
});
