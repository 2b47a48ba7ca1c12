// The names a lab server certificate is made for: DNS names and IP addresses, checked, normalised
// (lower case, canonical IPv6, sorted, no duplicates) so two requests compare equal when they mean
// the same set. Pure: never reads the environment; the caller passes the host name in.
import { isIP } from 'node:net';
import { configError } from '../shared/errors.js';

export interface SubjectNames {
  /** DNS names, lower case, sorted. */
  readonly dns: readonly string[];
  /** IP addresses in canonical form (IPv6 compressed, lower case), sorted. */
  readonly ips: readonly string[];
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const DEFAULT_IPS: readonly string[] = ['127.0.0.1', '::1'];

/** A DNS name as a certificate may carry it: labels of letters, digits and hyphens, `*.` allowed first. */
export function isDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.toLowerCase().split('.');
  return labels.every((l, i) => (i === 0 && l === '*' && labels.length > 2) || LABEL.test(l));
}

/** Canonical text of an IP address (the WHATWG URL host parser compresses and lower-cases IPv6). */
export function canonicalIp(ip: string): string {
  const family = isIP(ip);
  if (family !== 6) return family === 4 ? ip : ip.toLowerCase();
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

/** The default names: localhost plus the host name when it is a usable DNS name. */
export function defaultDnsNames(hostname: string): string[] {
  const h = hostname.toLowerCase();
  return h !== 'localhost' && isDnsName(h) ? ['localhost', h] : ['localhost'];
}

/**
 * Checks and normalises requested names. An address given among the names is moved to the
 * addresses; a bad entry is a configuration error naming it (exit code 2 from the CLI).
 */
export function normaliseNames(names: readonly string[], ips: readonly string[]): SubjectNames {
  const dns = new Set<string>();
  const addrs = new Set<string>();
  for (const raw of names) {
    const n = raw.trim();
    if (isIP(n) !== 0) addrs.add(canonicalIp(n));
    else if (isDnsName(n)) dns.add(n.toLowerCase());
    else throw configError('--name', raw, 'a DNS name such as localhost or ns.lab.example (letters, digits, hyphens, dots)');
  }
  for (const raw of ips) {
    const a = raw.trim();
    if (isIP(a) === 0) throw configError('--ip', raw, 'an IPv4 or IPv6 address such as 127.0.0.1 or ::1');
    addrs.add(canonicalIp(a));
  }
  if (dns.size === 0 && addrs.size === 0) throw configError('--name/--ip', '', 'at least one DNS name or IP address');
  return { dns: [...dns].sort(), ips: [...addrs].sort() };
}

export const sameNames = (a: SubjectNames, b: SubjectNames): boolean =>
  a.dns.join(',') === b.dns.join(',') && a.ips.join(',') === b.ips.join(',');

export const describeNames = (n: SubjectNames): string => [...n.dns, ...n.ips].join(', ');
