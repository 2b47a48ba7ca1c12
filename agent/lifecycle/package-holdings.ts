// What each simulated agent of a fleet wants from its software delivery policies and which package
// versions it holds (downloaded and verified), as typed-array rows: an interned wanted-list id and a
// bitmask over the fleet's interned (GUID, version) pairs. Memory never grows with the fleet.
import type { WantedPackage } from './messages.js';

/** Distinct (package GUID, version) pairs a fleet remembers holding (one bit each per agent). */
export const MAX_HELD_VERSIONS = 32;
const MAX_WANTED_LISTS = 65_535;

export interface HeldVersion {
  readonly guid: string;
  readonly version: number;
}

export class PackageHoldings {
  /** Interned wanted list per agent (0 = none). */
  readonly wantId: Uint16Array;
  /** Bit i set = the agent holds `versions[i]`. */
  readonly held: Uint32Array;
  /** When the agent's current delivery was first tried (performance.now ms; 0 = not trying). */
  readonly tryingSince: Float64Array;
  private readonly lists: WantedPackage[][] = [[]];
  private readonly listKeys: string[] = [''];
  private readonly versions: HeldVersion[] = [];

  constructor(size: number) {
    this.wantId = new Uint16Array(size);
    this.held = new Uint32Array(size);
    this.tryingSince = new Float64Array(size);
  }

  /** Records the packages the agent's policies name (shared lists are stored once). */
  setWanted(k: number, list: readonly WantedPackage[]): void {
    const key = list.map((p) => `${p.guid}@${p.version}${p.statusEvents ? '' : '!'}`).join(',');
    let id = this.listKeys.indexOf(key);
    if (id < 0) {
      if (this.lists.length >= MAX_WANTED_LISTS) return; // the agent keeps its previous list
      id = this.listKeys.push(key) - 1;
      this.lists.push([...list]);
    }
    this.wantId[k] = id;
  }

  wanted(k: number): readonly WantedPackage[] {
    return this.lists[this.wantId[k]!] ?? [];
  }

  /** True when the agent holds `guid` at `minVersion` or later (0: any version). */
  holds(k: number, guid: string, minVersion: number): boolean {
    const bits = this.held[k]!;
    if (bits === 0) return false;
    for (let i = 0; i < this.versions.length; i++) {
      const v = this.versions[i]!;
      if (bits & (1 << i) && v.guid === guid && v.version >= minVersion) return true;
    }
    return false;
  }

  /** The first wanted package the agent does not hold yet, or undefined. */
  pending(k: number): WantedPackage | undefined {
    return this.wanted(k).find((p) => !this.holds(k, p.guid, p.version));
  }

  /**
   * Marks `guid` at `version` held (and other versions of it not); false when the fleet already
   * remembers MAX_HELD_VERSIONS other pairs (the agent will download it again next time).
   */
  markHeld(k: number, guid: string, version: number): boolean {
    let i = this.versions.findIndex((v) => v.guid === guid && v.version === version);
    if (i < 0) {
      if (this.versions.length >= MAX_HELD_VERSIONS) return false;
      i = this.versions.push({ guid, version }) - 1;
    }
    let bits = this.held[k]!;
    for (let j = 0; j < this.versions.length; j++) if (this.versions[j]!.guid === guid) bits &= ~(1 << j);
    this.held[k] = (bits | (1 << i)) >>> 0;
    this.tryingSince[k] = 0;
    return true;
  }

  /** Agents holding every package they want (and wanting at least one). */
  upToDate(): number {
    let n = 0;
    for (let k = 0; k < this.wantId.length; k++) if (this.wantId[k] !== 0 && this.pending(k) === undefined) n += 1;
    return n;
  }
}
