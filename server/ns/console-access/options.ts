// Options of the console's access control (who may use /Altiris/Console and how long a login
// lasts), with their defaults in one place. docs/console.md "Access control" describes them.
// Never reads the environment: the CLI resolves flags, SMP_LAB_* and the config file.

export interface NsConsoleOptions {
  /** Lab account name (default `admin`). */
  readonly user?: string;
  /** Lab account password; without it one is generated at first start and stored hashed under the data folder. */
  readonly password?: string;
  /** Separate console listener: address (default the agent bind address) and port (0 = ephemeral). */
  readonly bind?: string;
  readonly port?: number;
  /** Browser session lifetime (ms). */
  readonly sessionTtlMs?: number;
  /** Lifetime of a bearer token from POST /Altiris/Console/api/tokens (ms). */
  readonly tokenTtlMs?: number;
  /** Failed credentials one client address may send per window before it gets 429. */
  readonly maxFailures?: number;
  readonly failureWindowMs?: number;
  /** Login form posts one client address may send per window (@fastify/rate-limit). */
  readonly maxLoginPosts?: number;
}

export interface ConsoleSettings {
  readonly user: string;
  readonly sessionTtlMs: number;
  readonly tokenTtlMs: number;
  readonly maxFailures: number;
  readonly failureWindowMs: number;
  readonly maxLoginPosts: number;
}

export const DEFAULT_CONSOLE_USER = 'admin';

export const DEFAULT_CONSOLE_SETTINGS: ConsoleSettings = {
  user: DEFAULT_CONSOLE_USER,
  sessionTtlMs: 8 * 3600_000,
  tokenTtlMs: 24 * 3600_000,
  maxFailures: 10,
  failureWindowMs: 60_000,
  maxLoginPosts: 30,
};

/** The console's prefix; everything under it needs credentials except the login page and its stylesheet. */
export const CONSOLE_PREFIX = '/Altiris/Console';
export const LOGIN_PATH = `${CONSOLE_PREFIX}/login`;
export const LOGIN_CSS_PATH = `${CONSOLE_PREFIX}/login.css`;
export const SESSION_COOKIE = 'smp_lab_session';
export const LOGIN_COOKIE = 'smp_lab_login';
export const CSRF_HEADER = 'x-csrf-token';
/** Files under the NS data folder (mode 0600). */
export const PASSWORD_FILE = 'console-password.json';
export const SECRET_FILE = 'console-secret';

export function consoleSettings(o: NsConsoleOptions = {}): ConsoleSettings {
  const d = DEFAULT_CONSOLE_SETTINGS;
  return {
    user: o.user ?? d.user, sessionTtlMs: o.sessionTtlMs ?? d.sessionTtlMs, tokenTtlMs: o.tokenTtlMs ?? d.tokenTtlMs,
    maxFailures: o.maxFailures ?? d.maxFailures, failureWindowMs: o.failureWindowMs ?? d.failureWindowMs,
    maxLoginPosts: o.maxLoginPosts ?? d.maxLoginPosts,
  };
}
