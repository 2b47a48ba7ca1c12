// The package side of one NS instance, made once per server context and shared by the NSCap,
// PackageShare and PS plugins and the agent pages: options, the package library with its files,
// the installers, the snapshot-signing key and the ordered site-server entries. Generating the
// files happens here, at start; requests only read.
import { join } from 'node:path';
import type { NsContext } from '../context.js';
import { DEFAULT_DATA_DIR } from '../options.js';
import { ensureInstallers, type InstallerSpec } from '../nscap/installers.js';
import { siteServerEntries, type SiteServerEntry } from './codebases.js';
import { PackageLibrary } from './library.js';
import { packageOptions, type NsPackageOptions } from './options.js';
import { loadOrCreateSigningKey, type SigningKey } from './signing-key.js';

export interface PackageRole {
  readonly options: NsPackageOptions;
  readonly dataDir: string;
  readonly nscapRoot: string;
  readonly installers: ReadonlyArray<InstallerSpec & { sha256: string }>;
  readonly library: PackageLibrary;
  readonly key: SigningKey;
  readonly sites: readonly SiteServerEntry[];
}

/** Name the NS gives itself in codebases and site-server answers. */
export const NS_SITE_NAME = 'ns';

const roles = new WeakMap<NsContext, Promise<PackageRole>>();

/** The package role of this server instance; the first call generates missing files. */
export function packageRole(ctx: NsContext): Promise<PackageRole> {
  let r = roles.get(ctx);
  if (r === undefined) {
    r = makeRole(ctx);
    roles.set(ctx, r);
  }
  return r;
}

async function makeRole(ctx: NsContext): Promise<PackageRole> {
  const options = packageOptions(ctx.options.packages);
  const dataDir = ctx.options.dataDir ?? DEFAULT_DATA_DIR;
  const nscapRoot = join(dataDir, 'nscap');
  const started = Date.now();
  const installers = await ensureInstallers(nscapRoot, options.installerSizes);
  const library = new PackageLibrary(ctx.store.packages, join(dataDir, 'packages'));
  const lab = await library.ensureLab(options.labPackages);
  const key = await loadOrCreateSigningKey(ctx.store.kind === 'memory' ? undefined : dataDir);
  ctx.log.info({ installers: installers.length, packages: lab.length, ms: Date.now() - started, keyId: key.sourceKey.slice(-12) },
    'package server role ready');
  return { options, dataDir, nscapRoot, installers, library, key, sites: siteServerEntries(options.packageServers, NS_SITE_NAME) };
}
