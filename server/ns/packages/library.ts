// The package content of the NS / Package Server role: lab packages made at start and external
// packages made through CreateExternalPackage.aspx, written deterministically under
// <data>/packages/<GUID>/ and recorded (names, sizes, hashes, version) in the package store.
// Never serves or writes a file outside its root; names are checked by the snapshot codec.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { smpError } from '../../../shared/errors.js';
import { checkFileName } from '../../../shared/protocol/package-snapshot.js';
import { ensureDeterministicFile } from '../deterministic-content.js';
import type { PackageFile, PackageRecord, PackageStore } from '../store/packages.js';

/** GUID of the first lab package (the one the lab software-delivery policy names). */
export const LAB_PACKAGE_GUID = 'ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84';

export interface LabPackageOptions {
  /** How many lab packages to make (GUIDs after the first derive from their index). */
  readonly count: number;
  /** Size in bytes of each lab package's payload file. */
  readonly payloadSize: number;
}

export interface FileSpec {
  readonly name: string;
  readonly size: number;
  /** Fixed leading bytes (the whole content when size equals its length). */
  readonly header?: Buffer;
}

export interface PackageSpec {
  readonly guid: string;
  readonly name: string;
  readonly priority?: string;
  readonly minSpeed?: number;
  readonly enableMulticast?: boolean;
  readonly origin: string;
  readonly files: readonly FileSpec[];
}

/** A GUID derived from a name, so lab packages keep their GUIDs across machines and restarts. */
export function guidFromName(name: string): string {
  const h = createHash('sha256').update(name).digest('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export const labPackageGuid = (i: number): string => (i === 0 ? LAB_PACKAGE_GUID : guidFromName(`smp-lab lab package ${i}`));

export function labPackageSpecs(opts: LabPackageOptions): PackageSpec[] {
  const specs: PackageSpec[] = [];
  for (let i = 0; i < opts.count; i += 1) {
    const guid = labPackageGuid(i);
    const name = i === 0 ? 'Lab package' : `Lab package ${i}`;
    const cmd = Buffer.from(`@echo off\r\nrem smp-lab ${name} {${guid}}\r\necho installing ${name}\r\nexit /b 0\r\n`, 'latin1');
    const readme = Buffer.from(`${name}\r\nA smp-lab package: deterministic lab content, not a real product.\r\n`, 'latin1');
    specs.push({
      // Multicast enabled, so simulated agents of one subnet can share the download (52030, docs/protocol.md §3).
      guid, name, origin: 'lab', enableMulticast: true, files: [
        { name: 'install.cmd', size: cmd.length, header: cmd },
        { name: 'AeXLabPayload.bin', size: opts.payloadSize },
        { name: 'docs/readme.txt', size: readme.length, header: readme },
      ],
    });
  }
  return specs;
}

export class PackageLibrary {
  readonly root: string;
  private readonly store: PackageStore;
  /** guid -> lower-case file name -> stored name: IIS file names match case-insensitively. */
  private readonly names = new Map<string, Map<string, string>>();

  constructor(store: PackageStore, root: string) {
    this.store = store;
    this.root = root;
    for (const p of store.list()) this.index(p);
  }

  /** Writes (or keeps) each package's files and records them; the version moves only when files change. */
  async materialise(spec: PackageSpec): Promise<PackageRecord> {
    const prior = this.store.get(spec.guid);
    const files: PackageFile[] = [];
    for (const f of spec.files) {
      const name = checkFileName(f.name);
      const seed = `pkg:${spec.guid}:${name}`;
      const known = prior?.files.find((p) => p.name === name && p.size === f.size && p.seed === seed)?.sha256;
      const w = await ensureDeterministicFile(this.pathOf(spec.guid, name), seed, f.size, f.header, known);
      files.push({ name, size: f.size, sha256: w.sha256, seed });
    }
    const rec = this.store.put({
      guid: spec.guid, name: spec.name, priority: spec.priority ?? 'Normal', minSpeed: spec.minSpeed ?? 0,
      enableMulticast: spec.enableMulticast ?? false, origin: spec.origin, files,
    });
    this.index(rec);
    return rec;
  }

  async ensureLab(opts: LabPackageOptions): Promise<PackageRecord[]> {
    const out: PackageRecord[] = [];
    for (const spec of labPackageSpecs(opts)) out.push(await this.materialise(spec));
    return out;
  }

  get(guid: string): PackageRecord | undefined {
    return this.store.get(guid);
  }

  list(): PackageRecord[] {
    return this.store.list();
  }

  /** The stored spelling of a file name, matched case-insensitively, or undefined. */
  resolveName(guid: string, requested: string): string | undefined {
    return this.names.get(guid)?.get(requested.toLowerCase());
  }

  /** Folder of a package on disk (the root for sendFile). */
  folderOf(guid: string): string {
    if (!/^[0-9A-F-]{36}$/.test(guid)) throw smpError('INTERNAL', `not a canonical GUID: ${guid}`);
    return join(this.root, guid);
  }

  pathOf(guid: string, name: string): string {
    return join(this.folderOf(guid), ...checkFileName(name).split('/'));
  }

  private index(p: PackageRecord): void {
    this.names.set(p.guid, new Map(p.files.map((f) => [f.name.toLowerCase(), f.name])));
  }
}
