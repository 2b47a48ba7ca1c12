// The `ns` verb's options for installers, packages, the Package Server role, the agent
// information pages and observability (the ns-edge part of the NS), and their mapping to
// NsOptions. Parsing only: a bad --package-server value is a config error naming it.
import { defineOptions, type ConfigOf } from '../../shared/config.js';
import { configError } from '../../shared/errors.js';
import type { NsOptions } from '../../server/ns/options.js';
import type { PackageServerSpec } from '../../server/ns/packages/options.js';

export const NS_PACKAGE_OPTIONS = defineOptions({
  installerSize: { type: 'int', min: 64, max: 1 << 30, default: 4 << 20, arg: 'BYTES', help: 'size of the Windows installer NSCap/.../AeXNSC.exe made at first start' },
  bootstrapSize: { type: 'int', min: 64, max: 1 << 30, default: 1 << 20, arg: 'BYTES', help: 'size of the Linux and Mac bootstrap files under NSCap/Bin/Unix' },
  labPackages: { type: 'int', min: 0, max: 10_000, default: 1, arg: 'N', help: 'lab packages to publish (the first is {ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84})' },
  packageSize: { type: 'int', min: 0, max: 1 << 30, default: 1 << 20, arg: 'BYTES', help: 'payload size of each lab package' },
  packageServer: { type: 'list', multiple: true, arg: 'NAME[=HOST]@CIDR[+CIDR]',
    help: 'a package server on this host and the subnets it is local to (repeatable); default ps-local@127.0.0.0/8+::1/128' },
  downloadLimit: { type: 'int', min: 0, max: 1_000_000, default: 60, arg: 'MIN', help: 'MaxAgentDownloadTryingTimeMins: past it only the NS-site source is offered' },
  advertisedHost: { type: 'host', arg: 'HOST', help: 'host written in codebase URLs (default: the Host the agent used)' },
  licenseSeats: { type: 'int', min: 0, max: 100_000_000, default: 100_000, arg: 'N', help: 'agent licences GetLicenseDetails.aspx reports' },
  noExternalPackages: { type: 'bool', default: false, help: 'refuse CreateExternalPackage.aspx (403)' },
  noAccessLog: { type: 'bool', default: false, help: 'do not write the W3C access log (DATA/logs/W3SVC1/u_exYYMMDD.log)' },
  maxQueryString: { type: 'int', min: 256, max: 1 << 20, default: 2048, arg: 'BYTES', help: 'IIS maxQueryString: longer query strings get 404.15' },
  maxUrl: { type: 'int', min: 256, max: 1 << 20, default: 4096, arg: 'BYTES', help: 'IIS maxUrl: longer paths get 404.14' },
});

export function parsePackageServer(text: string): PackageServerSpec {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]{0,62})(?:=([A-Za-z0-9.:[\]-]{1,253}))?@(.+)$/.exec(text.trim());
  if (m === null || m[1] === undefined || m[3] === undefined) {
    throw configError('--package-server', text, 'NAME[=HOST]@CIDR[+CIDR], e.g. ps1@10.20.0.0/16 or ps1=ps1.lab.local@10.20.0.0/16+fd00::/64');
  }
  return { name: m[1], ...(m[2] !== undefined ? { host: m[2] } : {}), subnets: m[3].split('+') };
}

export function packageNsOptions(c: ConfigOf<typeof NS_PACKAGE_OPTIONS>): Pick<NsOptions, 'packages' | 'accessLog' | 'requestFiltering'> {
  const servers = (c.packageServer ?? []).map(parsePackageServer);
  return {
    packages: {
      installerSizes: { windows: c.installerSize, unix: c.bootstrapSize },
      labPackages: { count: c.labPackages, payloadSize: c.packageSize },
      ...(servers.length > 0 ? { packageServers: servers } : {}),
      downloadTryLimitMinutes: c.downloadLimit,
      ...(c.advertisedHost !== undefined ? { advertisedHost: c.advertisedHost } : {}),
      licenseSeats: c.licenseSeats,
      ...(c.noExternalPackages ? { externalPackages: { enabled: false, maxPackages: 100, maxFiles: 64, maxFileBytes: 64 << 20, maxTotalBytes: 64 << 20 } } : {}),
    },
    accessLog: { enabled: !c.noAccessLog },
    requestFiltering: { maxQueryString: c.maxQueryString, maxUrl: c.maxUrl },
  };
}
