// Search, sort and paging over registered computers for the console (part of the resources module:
// it reads only its own tables). Each sort has a covering index, so a page of 50 out of 100,000 is an
// index walk; a search term goes through a trigram index of name and address, or is a GUID's start.
import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';
import type { RegistrationState } from './resources.js';

export const COMPUTER_SORTS = ['name', 'guid', 'state', 'lastSeen', 'created'] as const;
export type ComputerSort = (typeof COMPUTER_SORTS)[number];

const ORDER: Record<ComputerSort, (dir: string) => string> = {
  name: (d) => `r.name COLLATE NOCASE ${d}, r.guid ${d}`,
  guid: (d) => `r.guid ${d}`,
  state: (d) => `r.state ${d}, r.name COLLATE NOCASE ${d}, r.guid ${d}`,
  lastSeen: (d) => `r.last_seen_at ${d}, r.guid ${d}`,
  created: (d) => `r.created_at ${d}, r.guid ${d}`,
};

// Name and address only: every trigram costs on each registration (GUIDs are found by prefix on the key).
const SEARCH_TEXT = `SELECT r.rowid, r.name || ' ' || COALESCE(c.address, '')
  FROM resources r LEFT JOIN resource_clients c ON c.guid = r.guid`;
const REINDEX = (guid: string) => `DELETE FROM resource_search
  WHERE rowid = (SELECT rowid FROM resources WHERE guid = ${guid});
  INSERT INTO resource_search (rowid, text) ${SEARCH_TEXT} WHERE r.guid = ${guid};`;

/** Search text (name, address) in a trigram index, kept by triggers so no writer can forget it. */
export const RESOURCE_SEARCH_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS resource_clients (guid TEXT PRIMARY KEY REFERENCES resources(guid), address TEXT,
    os TEXT, updated_at INTEGER NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS resources_name ON resources (name COLLATE NOCASE, guid)',
  'CREATE INDEX IF NOT EXISTS resources_state ON resources (state, name COLLATE NOCASE, guid)',
  'CREATE INDEX IF NOT EXISTS resources_seen ON resources (last_seen_at, guid)',
  'CREATE INDEX IF NOT EXISTS resources_created ON resources (created_at, guid)',
  "CREATE VIRTUAL TABLE IF NOT EXISTS resource_search USING fts5 (text, tokenize = 'trigram')",
  `CREATE TRIGGER IF NOT EXISTS resource_search_insert AFTER INSERT ON resources BEGIN ${REINDEX('new.guid')} END`,
  `CREATE TRIGGER IF NOT EXISTS resource_search_rename AFTER UPDATE OF name ON resources
    WHEN old.name IS NOT new.name BEGIN ${REINDEX('new.guid')} END`,
  `CREATE TRIGGER IF NOT EXISTS resource_search_client AFTER INSERT ON resource_clients BEGIN ${REINDEX('new.guid')} END`,
  `CREATE TRIGGER IF NOT EXISTS resource_search_move AFTER UPDATE OF address ON resource_clients
    WHEN old.address IS NOT new.address BEGIN ${REINDEX('new.guid')} END`,
  // A store from before the search index: fill it once.
  `INSERT INTO resource_search (rowid, text) ${SEARCH_TEXT} WHERE NOT EXISTS (SELECT 1 FROM resource_search)`,
];

export interface ComputerQuery {
  readonly q?: string;
  readonly state?: RegistrationState;
  readonly sort?: ComputerSort;
  readonly desc?: boolean;
  readonly limit: number;
  readonly offset: number;
}

export interface ComputerRow {
  readonly guid: string;
  readonly name: string;
  readonly domain: string | null;
  readonly fqdn: string | null;
  readonly state: RegistrationState;
  readonly address: string | null;
  readonly os: string | null;
  readonly createdAt: number;
  readonly lastSeenAt: number | null;
}

interface Row {
  guid: string; name: string; domain: string | null; fqdn: string | null; state: RegistrationState;
  address: string | null; os: string | null; created_at: number; last_seen_at: number | null;
}

const DETAILS = `SELECT r.guid, r.name, r.domain, r.fqdn, r.state, r.created_at, r.last_seen_at, c.address, c.os
  FROM resources r LEFT JOIN resource_clients c ON c.guid = r.guid WHERE r.guid = ?`;

/** Three characters or more go through the trigram index; a term with % or _ needs ESCAPE, which scans. */
const MATCH = `(r.rowid IN (SELECT rowid FROM resource_search WHERE text LIKE @like)
  OR (r.guid >= @guid AND r.guid < @guidEnd))`;
const MATCH_ESCAPED = 'r.rowid IN (SELECT rowid FROM resource_search WHERE text LIKE @like ESCAPE \'\\\')';

export class ResourceSearch {
  private readonly statements = new Map<string, Statement>();
  private readonly details: Statement;
  private readonly client: Statement;

  constructor(private readonly db: Db) {
    this.details = db.prepare(DETAILS);
    this.client = db.prepare(`INSERT INTO resource_clients (guid, address, os, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (guid) DO UPDATE SET address = excluded.address, os = COALESCE(excluded.os, os),
      updated_at = excluded.updated_at`);
  }

  /** Where the computer last registered from and the OS flavour its agent names. */
  noteClient(guid: string, address: string | null, os: string | null, now: number): void {
    this.client.run(guid, address, os, now);
  }

  /** Two steps: the page's GUIDs from a covering index (deep offsets skip index entries only), then 50 rows. */
  search(query: ComputerQuery): { total: number; rows: ComputerRow[] } {
    const q = query.q ?? '';
    const wild = /[\\%_]/.test(q);
    const like = q === '' ? null : `%${wild ? q.replace(/[\\%_]/g, (c) => `\\${c}`) : q}%`;
    const guid = q.toUpperCase().replace(/^\{/, '');
    const params = { ...(query.state ? { state: query.state } : {}), ...(like ? { like } : {}),
      ...(like && !wild ? { guid, guidEnd: `${guid}\uffff` } : {}) };
    const match = wild ? MATCH_ESCAPED : MATCH;
    const where = [query.state ? 'r.state = @state' : '', like ? match : ''].filter((w) => w !== '');
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.statement(`SELECT COUNT(*) AS n FROM resources r ${filter}`).get(params) as { n: number }).n;
    const order = ORDER[query.sort ?? 'name'](query.desc === true ? 'DESC' : 'ASC');
    const guids = this.statement(`SELECT r.guid FROM resources r ${filter} ORDER BY ${order} LIMIT @limit OFFSET @offset`)
      .pluck().all({ ...params, limit: query.limit, offset: query.offset }) as string[];
    const rows = guids.map((g) => this.details.get(g) as Row | undefined).filter((r): r is Row => r !== undefined);
    return {
      total,
      rows: rows.map((r) => ({
        guid: r.guid, name: r.name, domain: r.domain, fqdn: r.fqdn, state: r.state, address: r.address,
        os: r.os, createdAt: r.created_at, lastSeenAt: r.last_seen_at })),
    };
  }

  /** Prepared once per shape (sort, direction, which filters); a handful in all. */
  private statement(sql: string): Statement {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}
