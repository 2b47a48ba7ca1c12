// `smp-lab certs`: make or reuse the lab CA and the server certificate, print what was done and
// where the files are (the CA certificate is the one to give to clients). Parsing and printing only.
import { resolve } from 'node:path';
import { COMMON_OPTIONS, defineOptions } from '../../shared/config.js';
import { defineVerb } from '../verb.js';

export const DEFAULT_CERT_DIR = '.lab/certs';

/** The certificate folder option for verbs that serve TLS (`ns`, `up`): spread into their options. */
export const CERT_DIR_OPTIONS = defineOptions({
  certs: { type: 'path', arg: 'DIR', default: DEFAULT_CERT_DIR, help: 'folder of the lab CA and server certificate (made by `smp-lab certs`)' },
});

const options = defineOptions({
  out: { type: 'path', arg: 'DIR', default: DEFAULT_CERT_DIR, help: 'folder for the CA, the server certificate, their keys and manifest.json' },
  name: { type: 'list', multiple: true, arg: 'NAME', help: 'DNS name for the server certificate (repeatable or comma list; default localhost and this host\'s name)' },
  ip: { type: 'list', multiple: true, arg: 'ADDR', help: 'IP address for the server certificate (repeatable or comma list; default 127.0.0.1,::1)' },
  days: { type: 'int', min: 1, max: 3650, default: 397, arg: 'N', help: 'validity of a new server certificate in days' },
  caDays: { type: 'int', min: 1, max: 36500, default: 3650, arg: 'N', help: 'validity of a new CA in days' },
  renewBefore: { type: 'int', min: 0, max: 3650, default: 7, arg: 'DAYS', help: 'remake a certificate with fewer days left than this' },
  keyBits: { type: 'int', min: 2048, max: 8192, default: 2048, arg: 'BITS', help: 'RSA key size of new keys' },
  force: { type: 'bool', default: false, noEnv: true, help: 'remake the server certificate and key even if valid (the CA is kept)' },
  forceCa: { type: 'bool', default: false, noEnv: true, help: 'remake the CA as well: clients must trust the new ca.pem' },
  format: { type: 'enum', choices: ['text', 'json'], default: 'text', arg: 'FMT', help: 'output format' },
  ...COMMON_OPTIONS,
});

export const certsVerb = defineVerb({
  name: 'certs',
  summary: 'make or reuse the lab CA and a server certificate for TLS (HTTPS 443, NS-NS replication)',
  description: [
    'Files are reused while valid and made for the same names; a server certificate is remade when it',
    'expires within --renew-before days, when --name/--ip change, when it no longer matches its key or the',
    'CA, or with --force. The CA is kept while valid, so clients that trust ca.pem keep trusting re-issued',
    'server certificates. Keys are written with mode 0600. Exit codes: 0 done, 1 error, 2 bad option.',
  ].join('\n'),
  options,
  async run(config, _positionals, ctx) {
    const { ensureLabCertificates } = await import('../../certs/index.js');
    const dir = resolve(config.out);
    const lab = await ensureLabCertificates({
      dir,
      ...(config.name !== undefined ? { names: config.name } : {}),
      ...(config.ip !== undefined ? { ips: config.ip } : {}),
      days: config.days, caDays: config.caDays, renewBeforeDays: config.renewBefore, keyBits: config.keyBits,
      force: config.force, forceCa: config.forceCa,
    });
    if (config.format === 'json') {
      ctx.stdout.write(`${JSON.stringify({ paths: lab.paths, names: lab.names, ...lab.report, warnings: lab.warnings }, null, 2)}\n`);
      return 0;
    }
    const { ca, server } = lab.report;
    const what = (r: typeof ca): string => (r.action === 'made' ? `made (${r.reason})` : 'reused (valid)');
    ctx.stdout.write([
      `lab CA      ${what(ca)}`,
      `  cert      ${lab.paths.caCert}   <- give this file to clients to trust the lab`,
      `  key       ${lab.paths.caKey}`,
      `  subject   ${ca.subject}; expires ${ca.notAfter}`,
      `  sha256    ${ca.sha256}`,
      `server      ${what(server)}`,
      `  cert      ${lab.paths.cert}`,
      `  key       ${lab.paths.key}`,
      `  names     ${[...lab.names.dns, ...lab.names.ips].join(', ')}; expires ${server.notAfter}`,
      `manifest    ${lab.paths.manifest}`,
      ...lab.warnings.map((w) => `warning: ${w}`),
      '',
    ].join('\n'));
    return 0;
  },
});
