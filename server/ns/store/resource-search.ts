// Search, sort and paging over registered computers for the console (part of the resources module:
// it reads only the resources and resource_clients tables). Each sort has an index, so a page of 50
// out of 100,000 is an index walk; a search term is a LIKE over four columns of one table scan.
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

export const RESOURCE_SEARCH_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS resource_clients (guid TEXT PRIMARY KEY REFERENCES resources(guid), address TEXT,
    os TEXT, updated_at INTEGER NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS resources_name ON resources (name COLLATE NOCASE, guid)',
  'CREATE INDEX IF NOT EXISTS resources_state ON resources (state, name COLLATE NOCASE, guid)',
  'CREATE INDEX IF NOT EXISTS resources_seen ON resources (last_seen_at, guid)',
  'CREATE INDEX IF NOT EXISTS resources_created ON resources (created_at, guid)',
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

const FILTER = `WHERE (@state IS NULL OR r.state = @state) AND (@like IS NULL OR r.name LIKE @like ESCAPE '\\'
  OR r.guid LIKE @like ESCAPE '\\' OR r.fqdn LIKE @like ESCAPE '\\' OR c.address LIKE @like ESCAPE '\\')`;
const FROM = 'FROM resources r LEFT JOIN resource_clients c ON c.guid = r.guid';

export class ResourceSearch {
  private readonly pages = new Map<string, Statement>();
  private readonly countAll: Statement;
  private readonly countFiltered: Statement;
  private readonly client: Statement;

  constructor(private readonly db: Db) {
    this.countAll = db.prepare('SELECT COUNT(*) AS n FROM resources');
    this.countFiltered = db.prepare(`SELECT COUNT(*) AS n ${FROM} ${FILTER}`);
    this.client = db.prepare(`INSERT INTO resource_clients (guid, address, os, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (guid) DO UPDATE SET address = excluded.address, os = COALESCE(excluded.os, os), updated_at = excluded.updated_at`);
  }

  /** Where the computer last registered from and the OS flavour its agent names. */
  noteClient(guid: string, address: string | null, os: string | null, now: number): void {
    this.client.run(guid, address, os, now);
  }

  search(query: ComputerQuery): { total: number; rows: ComputerRow[] } {
    const like = query.q === undefined || query.q === '' ? null : `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const params = { state: query.state ?? null, like, limit: query.limit, offset: query.offset };
    const total = (params.state === null && like === null ? this.countAll.get() : this.countFiltered.get(params)) as { n: number };
    const rows = this.page(query.sort ?? 'name', query.desc === true).all(params) as Row[];
    return {
      total: total.n,
      rows: rows.map((r) => ({ guid: r.guid, name: r.name, domain: r.domain, fqdn: r.fqdn, state: r.state, address: r.address,
        os: r.os, createdAt: r.created_at, lastSeenAt: r.last_seen_at })),
    };
  }

  private page(sort: ComputerSort, desc: boolean): Statement {
    const key = `${sort}:${desc ? 'desc' : 'asc'}`;
    let s = this.pages.get(key);
    if (s === undefined) {
      s = this.db.prepare(`SELECT r.guid, r.name, r.domain, r.fqdn, r.state, r.created_at, r.last_seen_at, c.address, c.os
        ${FROM} ${FILTER} ORDER BY ${ORDER[sort](desc ? 'DESC' : 'ASC')} LIMIT @limit OFFSET @offset`);
      this.pages.set(key, s);
    }
    return s;
  }
}
