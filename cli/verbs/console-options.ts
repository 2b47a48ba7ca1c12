// Console credentials and listener options, declared once for every verb that runs an NS (`ns`, `up`)
// or calls its admin API (`task`): flags, SMP_LAB_CONSOLE_* environment and config-file keys alike.
import { defineOptions, type ConfigOf } from '../../shared/config.js';
import type { NsConsoleOptions } from '../../server/ns/console-access/options.js';

export const CONSOLE_ACCOUNT_OPTIONS = defineOptions({
  consoleUser: { type: 'string', default: 'admin', arg: 'NAME', help: 'console and admin API user' },
  consolePassword: { type: 'string', arg: 'TEXT',
    help: 'console and admin API password (prefer SMP_LAB_CONSOLE_PASSWORD or the config file: flags show in ps)' },
});

/** Options of verbs that run an NS. */
export const CONSOLE_SERVER_OPTIONS = defineOptions({
  ...CONSOLE_ACCOUNT_OPTIONS,
  consoleBind: { type: 'address', arg: 'IP', help: 'serve /Altiris/Console on its own listener at this address (default --bind)' },
  consolePort: { type: 'int', min: 0, max: 65_535, arg: 'PORT',
    help: 'serve /Altiris/Console only on its own listener at this port (0: any free port); agent ports then answer 404 there' },
});

/** Options of verbs that call the admin API. */
export const CONSOLE_CLIENT_OPTIONS = defineOptions({
  ...CONSOLE_ACCOUNT_OPTIONS,
  consoleToken: { type: 'string', arg: 'TOKEN', help: 'bearer token from POST /Altiris/Console/api/tokens instead of a password' },
});

/** The NS's console options from a verb's config. With no password the NS generates and stores one. */
export function nsConsoleOptions(c: ConfigOf<typeof CONSOLE_SERVER_OPTIONS>): NsConsoleOptions {
  const port = c.consolePort ?? (c.consoleBind !== undefined ? 0 : undefined);
  return {
    user: c.consoleUser,
    ...(c.consolePassword !== undefined ? { password: c.consolePassword } : {}),
    ...(c.consoleBind !== undefined ? { bind: c.consoleBind } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

/** How the NS's lab account is shown on a ready line or banner: the generated password only on the start that made it. */
export function describeConsoleLogin(l: { user: string; generatedPassword?: string; passwordFile?: string }): string {
  if (l.generatedPassword !== undefined) {
    const where = l.passwordFile ?? '?';
    return `user=${l.user} password=${l.generatedPassword} (generated now and shown only now; its hash is in ${where})`;
  }
  if (l.passwordFile !== undefined) return `user=${l.user} password=stored (hash in ${l.passwordFile}; delete it to make a new one)`;
  return `user=${l.user} password=given`;
}
