// The agent installers under /Altiris/NS/NSCap: which files exist, at which IIS paths, and their
// deterministic content (generated into the data folder at first start, sizes configurable so
// download tests move real bytes). These are lab stand-ins, never real Symantec binaries.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDeterministicFile } from '../deterministic-content.js';

/** Sidecar kept next to the installers: rel -> size and hash, so a restart keeps files (and ETags). */
const MANIFEST = '.smp-lab-manifest.json';

export const NSCAP_PREFIX = '/Altiris/NS/NSCap/';

export type InstallerPlatform = 'windows' | 'linux-x64' | 'mac';

export interface InstallerSpec {
  readonly platform: InstallerPlatform;
  /** Path under /Altiris/NS/NSCap/ (and under the nscap folder on disk), `/`-separated. */
  readonly rel: string;
  readonly size: number;
  readonly header: Buffer;
}

export interface InstallerSizes {
  readonly windows: number;
  readonly unix: number;
}

/** Defaults near the real sizes of the 7.x bootstrap files (the Windows package is several MB). */
export const DEFAULT_INSTALLER_SIZES: InstallerSizes = { windows: 4 * 1024 * 1024, unix: 1024 * 1024 };

const WINDOWS_REL = 'Bin/Win32/X86/NS Client Package/AeXNSC.exe';
const LINUX_REL = 'Bin/Unix/AgentInstall/Linux/x64/aex-bootstrap-linux';
/** (smp-lab) the Mac path is not public; this one follows the Linux layout. */
const MAC_REL = 'Bin/Unix/AgentInstall/Mac/Universal/aex-bootstrap-macos';

function windowsHeader(): Buffer {
  // "MZ" so file-type sniffers (and WAF rules keyed on it) see a DOS/PE executable signature.
  return Buffer.concat([Buffer.from('MZ', 'latin1'), Buffer.from('\0smp-lab lab stand-in for AeXNSC.exe; not a Symantec binary\0', 'latin1')]);
}

function unixHeader(name: string): Buffer {
  // A shell script that stops at `exit 0`: the keystream bytes after it are never read by sh.
  return Buffer.from(`#!/bin/sh\n# smp-lab lab stand-in for ${name}; not a Symantec binary\necho "smp-lab: ${name} is a lab stand-in" >&2\nexit 0\n`, 'latin1');
}

export function installerSpecs(sizes: InstallerSizes): InstallerSpec[] {
  return [
    { platform: 'windows', rel: WINDOWS_REL, size: sizes.windows, header: windowsHeader() },
    { platform: 'linux-x64', rel: LINUX_REL, size: sizes.unix, header: unixHeader('aex-bootstrap-linux') },
    { platform: 'mac', rel: MAC_REL, size: sizes.unix, header: unixHeader('aex-bootstrap-macos') },
  ];
}

/** The IIS URL path of an installer, with spaces percent-encoded as agents request it. */
export const installerUrlPath = (spec: InstallerSpec): string => NSCAP_PREFIX + spec.rel.split('/').map(encodeURIComponent).join('/');

/** Writes every installer that is missing or has the wrong size; returns the specs with their hashes. */
export async function ensureInstallers(root: string, sizes: InstallerSizes): Promise<Array<InstallerSpec & { sha256: string }>> {
  const known = await readManifest(root);
  const out: Array<InstallerSpec & { sha256: string }> = [];
  for (const spec of installerSpecs(sizes)) {
    const prior = known[spec.rel];
    const f = await ensureDeterministicFile(join(root, ...spec.rel.split('/')), `nscap:${spec.rel}`, spec.size, spec.header,
      prior?.size === spec.size ? prior.sha256 : undefined);
    out.push({ ...spec, sha256: f.sha256 });
  }
  const manifest = Object.fromEntries(out.map((s) => [s.rel, { size: s.size, sha256: s.sha256 }]));
  await writeFile(join(root, MANIFEST), JSON.stringify(manifest, null, 1));
  return out;
}

async function readManifest(root: string): Promise<Record<string, { size: number; sha256: string } | undefined>> {
  try {
    const doc: unknown = JSON.parse(await readFile(join(root, MANIFEST), 'utf8'));
    return doc !== null && typeof doc === 'object' ? (doc as Record<string, { size: number; sha256: string }>) : {};
  } catch {
    return {};
  }
}
