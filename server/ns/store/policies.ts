// Client policies: one row a Policy (guid, name, version, enabled, agentClsid and the ClientPolicy
// content as an element tree). `revision` rises on every change so answers can be cached and the
// agents' Hash compared cheaply. Never renders XML itself (the codec does).
import type { Statement } from 'better-sqlite3';
import type { XmlElement } from '../../../shared/protocol/xml.js';
import type { Db } from './database.js';
import { defineStoreModule, type StoreModuleContext } from './module.js';

export interface Policy {
  readonly guid: string;
  readonly name: string;
  /** Bumped on every change. */
  readonly version: number;
  readonly enabled: boolean;
  readonly agentClsid: string;
  /** Children of the `ClientPolicy` element. */
  readonly content: readonly XmlElement[];
  readonly updatedAt: number;
}

export type PolicyInput = Omit<Policy, 'version' | 'updatedAt'>;

interface Row { guid: string; name: string; version: number; enabled: number; agent_clsid: string; content: string; updated_at: number }

const toPolicy = (r: Row): Policy => ({
  guid: r.guid, name: r.name, version: r.version, enabled: r.enabled === 1, agentClsid: r.agent_clsid,
  content: JSON.parse(r.content) as XmlElement[], updatedAt: r.updated_at,
});

export class PolicyTable {
  private readonly s: Record<string, Statement>;
  private rev: number;
  private cache: Policy[] | null = null;

  constructor(private readonly db: Db, private readonly ctx: StoreModuleContext) {
    this.s = {
      all: db.prepare('SELECT * FROM policies ORDER BY name, guid'),
      get: db.prepare('SELECT * FROM policies WHERE guid = ?'),
      upsert: db.prepare(`INSERT INTO policies (guid, name, version, enabled, agent_clsid, content, updated_at)
        VALUES (@guid, @name, 1, @enabled, @agentClsid, @content, @now)
        ON CONFLICT (guid) DO UPDATE SET name = @name, version = version + 1, enabled = @enabled,
        agent_clsid = @agentClsid, content = @content, updated_at = @now`),
      remove: db.prepare('DELETE FROM policies WHERE guid = ?'),
      rev: db.prepare('SELECT COALESCE(SUM(version), 0) + COUNT(*) AS n FROM policies'),
    };
    this.rev = (this.s['rev']!.get() as { n: number }).n;
  }

  /** Changes whenever any policy changes; cache keys build on it. */
  get revision(): number {
    return this.rev;
  }

  list(): readonly Policy[] {
    this.cache ??= (this.s['all']!.all() as Row[]).map(toPolicy);
    return this.cache;
  }

  get(guid: string): Policy | undefined {
    const row = this.s['get']!.get(guid) as Row | undefined;
    return row && toPolicy(row);
  }

  put(p: PolicyInput): Policy {
    this.ctx.commit.beforeSyncWrite();
    this.s['upsert']!.run({ guid: p.guid, name: p.name, enabled: p.enabled ? 1 : 0, agentClsid: p.agentClsid,
      content: JSON.stringify(p.content), now: this.ctx.now() });
    this.changed();
    return this.get(p.guid)!;
  }

  remove(guid: string): boolean {
    this.ctx.commit.beforeSyncWrite();
    const gone = this.s['remove']!.run(guid).changes === 1;
    if (gone) this.changed();
    return gone;
  }

  count(): number {
    return this.list().length;
  }

  private changed(): void {
    this.cache = null;
    this.rev += 1;
  }
}

export const policiesModule = defineStoreModule({
  name: 'policies',
  schema: [
    `CREATE TABLE IF NOT EXISTS policies (
      guid TEXT PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL, enabled INTEGER NOT NULL,
      agent_clsid TEXT NOT NULL, content TEXT NOT NULL, updated_at INTEGER NOT NULL)`,
  ],
  open: (db, ctx) => new PolicyTable(db, ctx),
});
