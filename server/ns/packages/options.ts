// Options of the NS's package, installer and agent-information pages with their defaults, in one
// place (docs/ns-edge.md lists them). Never reads the environment; the `ns` verb fills them.
import type { ExternalPackageLimits } from '../../../shared/protocol/external-package.js';
import { DEFAULT_INSTALLER_SIZES, type InstallerSizes } from '../nscap/installers.js';
import type { LabPackageOptions } from './library.js';

export interface PackageServerSpec {
  readonly name: string;
  /** Host written in its codebase URLs; absent: the host the agent used to reach the NS. */
  readonly host?: string;
  /** CIDR blocks whose agents this server is local to (e.g. 10.20.0.0/16). */
  readonly subnets: readonly string[];
}

export interface NsPackageOptions {
  readonly installerSizes: InstallerSizes;
  readonly labPackages: LabPackageOptions;
  /** Package servers on this host (the Package Server role); each serves /Altiris/PS/Share. */
  readonly packageServers: readonly PackageServerSpec[];
  /** MaxAgentDownloadTryingTimeMins: past it GetPackageInfo returns only the NS-site source. */
  readonly downloadTryLimitMinutes: number;
  /** Host written in NS codebase URLs; absent: the Host the agent used. */
  readonly advertisedHost?: string;
  readonly externalPackages: ExternalPackageLimits & { readonly enabled: boolean; readonly maxPackages: number };
  /** Largest ConnectionTest.asp download or upload (bytes). */
  readonly connectionTestMaxBytes: number;
  /** Agent licences the lab NS holds (GetLicenseDetails). */
  readonly licenseSeats: number;
}

export const DEFAULT_PACKAGE_OPTIONS: NsPackageOptions = {
  installerSizes: DEFAULT_INSTALLER_SIZES,
  labPackages: { count: 1, payloadSize: 1024 * 1024 },
  packageServers: [{ name: 'ps-local', subnets: ['127.0.0.0/8', '::1/128'] }],
  downloadTryLimitMinutes: 60,
  externalPackages: { enabled: true, maxPackages: 100, maxFiles: 64, maxFileBytes: 64 * 1024 * 1024, maxTotalBytes: 64 * 1024 * 1024 },
  connectionTestMaxBytes: 4 * 1024 * 1024,
  licenseSeats: 100_000,
};

export function packageOptions(o: Partial<NsPackageOptions> | undefined): NsPackageOptions {
  return {
    ...DEFAULT_PACKAGE_OPTIONS, ...o,
    installerSizes: { ...DEFAULT_PACKAGE_OPTIONS.installerSizes, ...o?.installerSizes },
    labPackages: { ...DEFAULT_PACKAGE_OPTIONS.labPackages, ...o?.labPackages },
    externalPackages: { ...DEFAULT_PACKAGE_OPTIONS.externalPackages, ...o?.externalPackages },
  };
}
