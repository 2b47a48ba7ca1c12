// Registered computers: GUID, names, resource keys (name.domain / fqdn / uniqueid), the agent's
// policyKey, registration state and timestamps. This module never decides policy (who may re-key,
// which state a newcomer gets): the CreateResource page and the admin API do.
import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';
import { defineStoreModule, type StoreModuleContext } from './module.js';
import { RESOURCE_SEARCH_SCHEMA, ResourceSearch, type ComputerQuery, type ComputerRow } from './resource-search.js';

import type { RegistrationStatus, ResourceKey } from '../../../shared/protocol/create-resource.js';

export type { ResourceKey, ResourceKeyType } from '../../../shared/protocol/create-resource.js';
export type RegistrationState = RegistrationStatus;
export const REGISTRATION_STATES: readonly RegistrationState[] = ['allowed', 'pending', 'blocked'];

export interface Resource {
  readonly guid: string;
  readonly name: string;
  readonly domain: string | null;
  readonly fqdn: string | null;
  readonly uniqueId: string | null;
  readonly typeGuid: string;
  /** base64 of the 262-byte policyKey blob the NS encrypts this computer's policies to. */
  readonly policyKey: string;
  /** A key offered for this GUID but refused; an admin may accept it. */
  readonly pendingPolicyKey: string | null;
  readonly state: RegistrationState;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastSeenAt: number | null;
  readonly keyChangedAt: number | null;
}

/** What a registration stores; the timestamps and the pending key are the store's own. */
export type NewResource = Pick<Resource, 'guid' | 'name' | 'domain' | 'fqdn' | 'uniqueId' | 'typeGuid' | 'policyKey' | 'state'>;

interface Row {
  guid: string; name: string; domain: string | null; fqdn: string | null; unique_id: string | null;
  type_guid: string; policy_key: string; pending_policy_key: string | null; state: RegistrationState;
  created_at: number; updated_at: number; last_seen_at: number | null; key_changed_at: number | null;
}

const toResource = (r: Row): Resource => ({
  guid: r.guid, name: r.name, domain: r.domain, fqdn: r.fqdn, uniqueId: r.unique_id, typeGuid: r.type_guid,
  policyKey: r.policy_key, pendingPolicyKey: r.pending_policy_key, state: r.state, createdAt: r.created_at,
  updatedAt: r.updated_at, lastSeenAt: r.last_seen_at, keyChangedAt: r.key_changed_at,
});

/** Keys compare case-insensitively for names, exactly for the hardware hash. */
export const normalizeKey = (k: ResourceKey): string => (k.type === 'uniqueid' ? k.value : k.value.toLowerCase());

/** Resources kept in memory for check-ins (write-through: every write drops the entry). */
const CACHE_MAX = 50_000;

export class ResourceTable {
  private readonly s: Record<string, Statement>;
  private readonly cache = new Map<string, Resource>();
  private seen = new Map<string, number>();
  private seenTimer: NodeJS.Timeout | null = null;
  private readonly searcher: ResourceSearch;

  constructor(private readonly db: Db, private readonly ctx: StoreModuleContext) {
    ctx.commit.onRollback(() => this.cache.clear());
    this.searcher = new ResourceSearch(db);
    this.s = {
      get: db.prepare('SELECT * FROM resources WHERE guid = ?'),
      byKey: db.prepare('SELECT guid FROM resource_keys WHERE type = ? AND value = ?'),
      // name.domain keys of one host name in any domain: a range on the primary key ('/' follows '.').
      byHostName: db.prepare(`SELECT DISTINCT guid FROM resource_keys WHERE type = 'name.domain'
        AND (value = ? OR (value >= ? AND value < ?)) LIMIT 2`),
      insert: db.prepare(`INSERT INTO resources (guid, name, domain, fqdn, unique_id, type_guid, policy_key, state,
        created_at, updated_at, last_seen_at) VALUES (@guid, @name, @domain, @fqdn, @uniqueId, @typeGuid, @policyKey,
        @state, @now, @now, @now)`),
      key: db.prepare('INSERT OR REPLACE INTO resource_keys (type, value, guid) VALUES (?, ?, ?)'),
      seen: db.prepare('UPDATE resources SET last_seen_at = ? WHERE guid = ?'),
      names: db.prepare('UPDATE resources SET name = ?, domain = ?, fqdn = ?, unique_id = COALESCE(?, unique_id), updated_at = ? WHERE guid = ?'),
      state: db.prepare('UPDATE resources SET state = ?, updated_at = ? WHERE guid = ?'),
      rekey: db.prepare(`UPDATE resources SET policy_key = ?, pending_policy_key = NULL, key_changed_at = ?, updated_at = ?
        WHERE guid = ?`),
      pending: db.prepare('UPDATE resources SET pending_policy_key = ?, updated_at = ? WHERE guid = ?'),
      list: db.prepare('SELECT * FROM resources ORDER BY created_at, guid LIMIT ? OFFSET ?'),
      listState: db.prepare('SELECT * FROM resources WHERE state = ? ORDER BY created_at, guid LIMIT ? OFFSET ?'),
      count: db.prepare('SELECT COUNT(*) AS n FROM resources'),
    };
  }

  get(guid: string): Resource | undefined {
    let r = this.cache.get(guid);
    if (r === undefined) {
      const row = this.s['get']!.get(guid) as Row | undefined;
      if (!row) return undefined;
      r = toResource(row);
      if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(guid, r);
    }
    const seen = this.seen.get(guid);
    return seen === undefined ? r : { ...r, lastSeenAt: seen };
  }

  /** GUID of the first resource owning any of the keys, in the order given. */
  findByKeys(keys: readonly ResourceKey[]): string | undefined {
    for (const k of keys) {
      const hit = this.s['byKey']!.get(k.type, normalizeKey(k)) as { guid: string } | undefined;
      if (hit) return hit.guid;
    }
    return undefined;
  }

  /** The one computer registered under this host name (in any domain); undefined when none or several. */
  findByHostName(name: string): string | undefined {
    const n = name.toLowerCase();
    const hits = this.s['byHostName']!.all(n, `${n}.`, `${n}/`) as { guid: string }[];
    return hits.length === 1 ? hits[0]!.guid : undefined;
  }

  create(r: NewResource, keys: readonly ResourceKey[]): Resource {
    this.ctx.commit.beforeSyncWrite();
    const now = this.ctx.now();
    this.cache.delete(r.guid);
    this.db.transaction(() => {
      this.s['insert']!.run({ ...r, now });
      for (const k of keys) this.s['key']!.run(k.type, normalizeKey(k), r.guid);
    })();
    return this.get(r.guid)!;
  }

  /** Records names and keys seen at a later registration of the same computer. */
  updateIdentity(guid: string, id: Pick<NewResource, 'name' | 'domain' | 'fqdn' | 'uniqueId'>, keys: readonly ResourceKey[]): void {
    this.ctx.commit.beforeSyncWrite();
    const now = this.ctx.now();
    this.cache.delete(guid);
    this.db.transaction(() => {
      this.s['names']!.run(id.name, id.domain, id.fqdn, id.uniqueId, now, guid);
      for (const k of keys) this.s['key']!.run(k.type, normalizeKey(k), guid);
      this.s['seen']!.run(now, guid);
    })();
  }

  /** Notes a check-in; written in one transaction per second (last-seen is not an acknowledged write). */
  touch(guid: string): void {
    this.seen.set(guid, this.ctx.now());
    if (this.seenTimer === null) {
      this.seenTimer = setTimeout(() => this.flushSeen(), 1000);
      this.seenTimer.unref();
    }
  }

  flushSeen(): void {
    if (this.seenTimer) clearTimeout(this.seenTimer);
    this.seenTimer = null;
    if (this.seen.size === 0 || !this.db.open) return;
    this.ctx.commit.beforeSyncWrite();
    const seen = this.seen;
    this.seen = new Map();
    this.db.transaction(() => {
      for (const [guid, at] of seen) this.s['seen']!.run(at, guid);
    })();
    for (const [guid, at] of seen) {
      const cached = this.cache.get(guid);
      if (cached !== undefined) this.cache.set(guid, { ...cached, lastSeenAt: at });
    }
  }

  async close(): Promise<void> {
    this.flushSeen();
  }

  setState(guid: string, state: RegistrationState): boolean {
    this.ctx.commit.beforeSyncWrite();
    this.cache.delete(guid);
    return this.s['state']!.run(state, this.ctx.now(), guid).changes === 1;
  }

  setPolicyKey(guid: string, policyKey: string): boolean {
    this.ctx.commit.beforeSyncWrite();
    const now = this.ctx.now();
    this.cache.delete(guid);
    return this.s['rekey']!.run(policyKey, now, now, guid).changes === 1;
  }

  setPendingPolicyKey(guid: string, policyKey: string | null): boolean {
    this.ctx.commit.beforeSyncWrite();
    this.cache.delete(guid);
    return this.s['pending']!.run(policyKey, this.ctx.now(), guid).changes === 1;
  }

  list(opts: { state?: RegistrationState; limit?: number; offset?: number } = {}): Resource[] {
    const limit = Math.min(opts.limit ?? 100, 10000);
    const offset = opts.offset ?? 0;
    const rows = (opts.state ? this.s['listState']!.all(opts.state, limit, offset) : this.s['list']!.all(limit, offset)) as Row[];
    return rows.map(toResource);
  }

  /** Records where a computer registered from and its OS flavour (the console's Computers view). */
  noteClient(guid: string, address: string | null, os: string | null): void {
    this.ctx.commit.beforeSyncWrite();
    this.searcher.noteClient(guid, address, os, this.ctx.now());
  }

  /** One page of computers, searched and sorted; last check-ins not yet flushed are shown. */
  search(query: ComputerQuery): { total: number; rows: ComputerRow[] } {
    const page = this.searcher.search(query);
    return { total: page.total, rows: page.rows.map((r) => {
      const seen = this.seen.get(r.guid);
      return seen === undefined ? r : { ...r, lastSeenAt: seen };
    }) };
  }

  count(): number {
    return (this.s['count']!.get() as { n: number }).n;
  }
}

export const resourcesModule = defineStoreModule({
  name: 'resources',
  schema: [
    `CREATE TABLE IF NOT EXISTS resources (
      guid TEXT PRIMARY KEY, name TEXT NOT NULL, domain TEXT, fqdn TEXT, unique_id TEXT,
      type_guid TEXT NOT NULL, policy_key TEXT NOT NULL, pending_policy_key TEXT,
      state TEXT NOT NULL CHECK (state IN ('allowed', 'pending', 'blocked')),
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, last_seen_at INTEGER, key_changed_at INTEGER)`,
    `CREATE TABLE IF NOT EXISTS resource_keys (
      type TEXT NOT NULL, value TEXT NOT NULL, guid TEXT NOT NULL REFERENCES resources(guid),
      PRIMARY KEY (type, value))`,
    'CREATE INDEX IF NOT EXISTS resource_keys_guid ON resource_keys (guid)',
    ...RESOURCE_SEARCH_SCHEMA,
  ],
  open: (db, ctx) => new ResourceTable(db, ctx),
});
