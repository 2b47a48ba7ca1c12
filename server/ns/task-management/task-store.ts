// NS store module for Task Management: task definitions (immutable once created, numbered by a
// growing version), per-agent task status and the registered task servers. Never decides which
// TS an agent uses or when to tickle: the task-management plugin does.
import type { Statement } from 'better-sqlite3';
import type { TaskDoc, TaskKind, TaskServerDoc, TaskState, StatusDoc } from '../../../shared/protocol/task-xml.js';
import type { Db } from '../store/database.js';
import { defineStoreModule, type StoreModuleContext } from '../store/module.js';

/** A task to create: a task document without its version, which the store assigns. */
export interface NewTask extends Omit<TaskDoc, 'version'> {
  /** Agents expected to answer (the target count, or the clients of live TSes for "all"). */
  readonly expected: number;
}

export interface StoredTask extends TaskDoc {
  readonly expected: number;
  readonly createdAt: number;
}

export interface StoredStatus {
  readonly resourceGuid: string;
  readonly state: TaskState;
  readonly exitCode: number | null;
  readonly output: string;
  readonly taskServer: string | null;
  readonly updatedAt: number;
}

export interface StoredTaskServer extends TaskServerDoc {
  readonly updatedAt: number;
}

export interface ResourceTaskStatus {
  readonly taskId: string;
  readonly name: string;
  readonly type: TaskKind;
  readonly state: TaskState;
  readonly exitCode: number | null;
  readonly updatedAt: number;
}

/** A later state never goes back (a late "running" after "completed" is ignored). */
const RANK: Record<TaskState, number> = { received: 1, running: 2, completed: 3, failed: 3 };

interface TaskRow {
  id: string; version: number; type: TaskKind; name: string; script: string; action: string; duration_ms: number;
  exit_code: number; output: string; targets: string | null; expected: number; created_at: number;
}

const toTask = (r: TaskRow): StoredTask => ({
  id: r.id, version: r.version, type: r.type, name: r.name, script: r.script, action: r.action, durationMs: r.duration_ms,
  exitCode: r.exit_code, output: r.output, targets: r.targets === null ? null : (JSON.parse(r.targets) as string[]),
  expected: r.expected, createdAt: r.created_at,
});

export class TaskRepository {
  private readonly s: Record<string, Statement>;

  constructor(private readonly db: Db, private readonly ctx: StoreModuleContext) {
    this.s = {
      insert: db.prepare(`INSERT INTO tasks (id, version, type, name, script, action, duration_ms, exit_code, output,
        targets, expected, created_at) VALUES (@id, (SELECT COALESCE(MAX(version), 0) + 1 FROM tasks), @type, @name,
        @script, @action, @durationMs, @exitCode, @output, @targets, @expected, @now)`),
      get: db.prepare('SELECT * FROM tasks WHERE id = ?'),
      since: db.prepare('SELECT * FROM tasks WHERE version > ? ORDER BY version LIMIT ?'),
      list: db.prepare('SELECT * FROM tasks ORDER BY version DESC LIMIT ? OFFSET ?'),
      version: db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM tasks'),
      status: db.prepare(`INSERT INTO task_status (task_id, resource_guid, state, rank, exit_code, output, ts_guid, updated_at)
        VALUES (@taskId, @resourceGuid, @state, @rank, @exitCode, @output, @ts, @now)
        ON CONFLICT (task_id, resource_guid) DO UPDATE SET state = excluded.state, rank = excluded.rank,
        exit_code = excluded.exit_code, output = excluded.output, ts_guid = excluded.ts_guid, updated_at = excluded.updated_at
        WHERE excluded.rank >= task_status.rank`),
      statuses: db.prepare('SELECT * FROM task_status WHERE task_id = ? ORDER BY resource_guid LIMIT ? OFFSET ?'),
      counts: db.prepare('SELECT state, COUNT(*) AS n FROM task_status WHERE task_id = ? GROUP BY state'),
      forResource: db.prepare(`SELECT s.task_id, t.name, t.type, s.state, s.exit_code, s.updated_at FROM task_status s
        JOIN tasks t ON t.id = s.task_id WHERE s.resource_guid = ? ORDER BY s.updated_at DESC LIMIT ?`),
      tsUpsert: db.prepare(`INSERT INTO task_servers (guid, name, url, channel_host, channel_port, shares, clients, max_clients,
        updated_at) VALUES (@guid, @name, @url, @channelHost, @channelPort, @shares, @clients, @maxClients, @now)
        ON CONFLICT (guid) DO UPDATE SET name = excluded.name, url = excluded.url, channel_host = excluded.channel_host,
        channel_port = excluded.channel_port, shares = excluded.shares, clients = excluded.clients,
        max_clients = excluded.max_clients, updated_at = excluded.updated_at`),
      tsList: db.prepare('SELECT * FROM task_servers WHERE updated_at >= ? ORDER BY name, guid'),
    };
  }

  create(t: NewTask): StoredTask {
    this.ctx.commit.beforeSyncWrite();
    this.s['insert']!.run({ ...t, targets: t.targets === null ? null : JSON.stringify(t.targets), now: this.ctx.now() });
    return this.get(t.id)!;
  }

  get(id: string): StoredTask | undefined {
    const r = this.s['get']!.get(id) as TaskRow | undefined;
    return r === undefined ? undefined : toTask(r);
  }

  /** A computer's task history, latest status first (the console's computer page). */
  forResource(guid: string, limit = 50): ResourceTaskStatus[] {
    return (this.s['forResource']!.all(guid, Math.min(limit, 1000)) as {
      task_id: string; name: string; type: TaskKind; state: TaskState; exit_code: number | null; updated_at: number;
    }[]).map((r) => ({ taskId: r.task_id, name: r.name, type: r.type, state: r.state, exitCode: r.exit_code, updatedAt: r.updated_at }));
  }

  since(version: number, limit = 100): StoredTask[] {
    return (this.s['since']!.all(version, limit) as TaskRow[]).map(toTask);
  }

  list(limit: number, offset: number): StoredTask[] {
    return (this.s['list']!.all(limit, offset) as TaskRow[]).map(toTask);
  }

  version(): number {
    return (this.s['version']!.get() as { v: number }).v;
  }

  /** Records a batch of statuses in one transaction (durable before the caller answers). */
  recordStatuses(tsGuid: string | null, batch: readonly StatusDoc[]): number {
    this.ctx.commit.beforeSyncWrite();
    const now = this.ctx.now();
    let known = 0;
    this.db.transaction(() => {
      for (const s of batch) {
        if (this.s['get']!.get(s.taskId) === undefined) continue;
        known++;
        this.s['status']!.run({ taskId: s.taskId, resourceGuid: s.resourceGuid, state: s.state, rank: RANK[s.state],
          exitCode: s.exitCode, output: s.output, ts: tsGuid, now });
      }
    })();
    return known;
  }

  statuses(taskId: string, limit: number, offset: number): StoredStatus[] {
    return (this.s['statuses']!.all(taskId, limit, offset) as {
      resource_guid: string; state: TaskState; exit_code: number | null; output: string; ts_guid: string | null; updated_at: number;
    }[]).map((r) => ({ resourceGuid: r.resource_guid, state: r.state, exitCode: r.exit_code, output: r.output,
      taskServer: r.ts_guid, updatedAt: r.updated_at }));
  }

  counts(taskId: string): Record<TaskState, number> {
    const out: Record<TaskState, number> = { received: 0, running: 0, completed: 0, failed: 0 };
    for (const r of this.s['counts']!.all(taskId) as { state: TaskState; n: number }[]) out[r.state] = r.n;
    return out;
  }

  upsertTaskServer(ts: TaskServerDoc): void {
    this.ctx.commit.beforeSyncWrite();
    this.s['tsUpsert']!.run({ ...ts, now: this.ctx.now() });
  }

  /** Task servers heard from within `maxAgeMs`. */
  taskServers(maxAgeMs: number): StoredTaskServer[] {
    return (this.s['tsList']!.all(this.ctx.now() - maxAgeMs) as {
      guid: string; name: string; url: string; channel_host: string; channel_port: number; shares: number; clients: number;
      max_clients: number; updated_at: number;
    }[]).map((r) => ({ guid: r.guid, name: r.name, url: r.url, channelHost: r.channel_host, channelPort: r.channel_port,
      shares: r.shares, clients: r.clients, maxClients: r.max_clients, updatedAt: r.updated_at }));
  }
}

export const tasksModule = defineStoreModule({
  name: 'tasks',
  schema: [
    `CREATE TABLE IF NOT EXISTS tasks (id TEXT PRIMARY KEY, version INTEGER NOT NULL UNIQUE, type TEXT NOT NULL,
      name TEXT NOT NULL, script TEXT NOT NULL, action TEXT NOT NULL, duration_ms INTEGER NOT NULL, exit_code INTEGER NOT NULL,
      output TEXT NOT NULL, targets TEXT, expected INTEGER NOT NULL, created_at INTEGER NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS task_status (task_id TEXT NOT NULL REFERENCES tasks(id), resource_guid TEXT NOT NULL,
      state TEXT NOT NULL, rank INTEGER NOT NULL, exit_code INTEGER, output TEXT NOT NULL, ts_guid TEXT,
      updated_at INTEGER NOT NULL, PRIMARY KEY (task_id, resource_guid))`,
    'CREATE INDEX IF NOT EXISTS task_status_resource ON task_status (resource_guid, updated_at)',
    `CREATE TABLE IF NOT EXISTS task_servers (guid TEXT PRIMARY KEY, name TEXT NOT NULL, url TEXT NOT NULL,
      channel_host TEXT NOT NULL, channel_port INTEGER NOT NULL, shares INTEGER NOT NULL, clients INTEGER NOT NULL,
      max_clients INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
  ],
  open: (db, ctx) => new TaskRepository(db, ctx),
});
