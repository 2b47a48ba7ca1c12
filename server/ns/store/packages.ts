// Store module of the NS and its Package Server role: packages (files with sizes, hashes and
// content seeds, version) and issued client certificates. Reads come from an in-memory copy
// loaded at open; every write goes to SQLite first. Never touches package files on disk.
import { smpError } from '../../../shared/errors.js';
import type { Db } from './database.js';
import { defineStoreModule, type StoreModuleContext } from './module.js';

export interface PackageFile {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  /** Seed of the deterministic content (see deterministic-content.ts). */
  readonly seed: string;
}

export interface PackageRecord {
  readonly guid: string;
  readonly name: string;
  readonly version: number;
  readonly priority: string;
  readonly minSpeed: number;
  readonly enableMulticast: boolean;
  /** Where the package came from: 'lab' (made at start) or 'external' (CreateExternalPackage.aspx). */
  readonly origin: string;
  readonly files: readonly PackageFile[];
}

export const packageSize = (p: PackageRecord): number => p.files.reduce((n, f) => n + f.size, 0);


interface PackageRow {
  guid: string; name: string; version: number; priority: string; min_speed: number; enable_multicast: number;
  origin: string; files: string;
}

export class PackageStore {
  private readonly db: Db;
  private readonly packages = new Map<string, PackageRecord>();

  constructor(db: Db, private readonly ctx: StoreModuleContext) {
    this.db = db;
    for (const row of db.prepare('SELECT * FROM packages').all() as PackageRow[]) this.packages.set(row.guid, fromRow(row));
  }

  list(): PackageRecord[] {
    return [...this.packages.values()];
  }

  get(guid: string): PackageRecord | undefined {
    return this.packages.get(guid);
  }

  /**
   * Stores a package. When its files differ from the stored ones the version goes up by one (the NS
   * bumps the version whenever package content changes); otherwise the stored version is kept.
   */
  put(pkg: Omit<PackageRecord, 'version'> & { version?: number }): PackageRecord {
    this.ctx.commit.beforeSyncWrite();
    const prior = this.packages.get(pkg.guid);
    const sameFiles = prior !== undefined && JSON.stringify(prior.files) === JSON.stringify(pkg.files);
    const version = pkg.version ?? (prior === undefined ? 1 : sameFiles ? prior.version : prior.version + 1);
    const rec: PackageRecord = { ...pkg, version };
    try {
      this.db.prepare(`INSERT INTO packages (guid, name, version, priority, min_speed, enable_multicast, origin, files, updated)
        VALUES (@guid, @name, @version, @priority, @minSpeed, @mc, @origin, @files, @updated)
        ON CONFLICT(guid) DO UPDATE SET name=@name, version=@version, priority=@priority, min_speed=@minSpeed,
        enable_multicast=@mc, origin=@origin, files=@files, updated=@updated`).run({
        guid: rec.guid, name: rec.name, version: rec.version, priority: rec.priority, minSpeed: rec.minSpeed,
        mc: rec.enableMulticast ? 1 : 0, origin: rec.origin, files: JSON.stringify(rec.files), updated: new Date().toISOString(),
      });
    } catch (err) {
      throw smpError('STORE', `cannot store package ${rec.guid}: ${(err as Error).message}`, {}, err);
    }
    this.packages.set(rec.guid, rec);
    return rec;
  }

  putClientCertificate(resourceGuid: string, serial: string, pem: string): void {
    this.ctx.commit.beforeSyncWrite();
    this.db.prepare(`INSERT INTO client_certificates (resource_guid, serial, pem, issued) VALUES (?, ?, ?, ?)
      ON CONFLICT(resource_guid) DO UPDATE SET serial=excluded.serial, pem=excluded.pem, issued=excluded.issued`)
      .run(resourceGuid, serial, pem, new Date().toISOString());
  }

  clientCertificate(resourceGuid: string): { serial: string; pem: string; issued: string } | undefined {
    return this.db.prepare('SELECT serial, pem, issued FROM client_certificates WHERE resource_guid = ?').get(resourceGuid) as
      { serial: string; pem: string; issued: string } | undefined;
  }
}

function fromRow(r: PackageRow): PackageRecord {
  return {
    guid: r.guid, name: r.name, version: r.version, priority: r.priority, minSpeed: r.min_speed,
    enableMulticast: r.enable_multicast === 1, origin: r.origin, files: JSON.parse(r.files) as PackageFile[],
  };
}

export const packagesModule = defineStoreModule({
  name: 'packages',
  schema: [
    `CREATE TABLE IF NOT EXISTS packages (
      guid TEXT PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL, priority TEXT NOT NULL,
      min_speed INTEGER NOT NULL, enable_multicast INTEGER NOT NULL, origin TEXT NOT NULL, files TEXT NOT NULL,
      updated TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS client_certificates (
      resource_guid TEXT PRIMARY KEY, serial TEXT NOT NULL, pem TEXT NOT NULL, issued TEXT NOT NULL)`,
  ],
  open: (db, ctx) => new PackageStore(db, ctx),
});
