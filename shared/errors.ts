// Coded errors of smp-lab: every error a user can meet is made here, with a stable code and a
// message that says what was wrong and what is allowed. Transports map codes to HTTP statuses,
// protocol error frames or exit codes in one place each; nothing throws strings.

export interface SmpErrorSpec {
  readonly code: string;
  /** HTTP status a server answers with when this error ends a request. */
  readonly status: number;
  /** Process exit code when this error ends a command. */
  readonly exitCode: number;
}

export class SmpError extends Error {
  readonly code: string;
  readonly status: number;
  readonly exitCode: number;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(spec: SmpErrorSpec, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SmpError';
    this.code = spec.code;
    this.status = spec.status;
    this.exitCode = spec.exitCode;
    this.details = details;
  }
}

const spec = (code: string, status: number, exitCode = 1): SmpErrorSpec => ({ code, status, exitCode });

/** Every error code in one table, so docs and tests can list them. */
export const ERRORS = {
  /** A flag, environment variable or config-file value is not allowed. */
  CONFIG: spec('SMP_ERR_CONFIG', 400, 2),
  /** The command line itself is wrong (unknown verb or flag). */
  USAGE: spec('SMP_ERR_USAGE', 400, 2),
  /** A port cannot be bound (privilege, in use). */
  BIND: spec('SMP_ERR_BIND', 500, 1),
  /** Input is not well-formed for its protocol. */
  BAD_INPUT: spec('SMP_ERR_BAD_INPUT', 400),
  BAD_XML: spec('SMP_ERR_BAD_XML', 400),
  BAD_GUID: spec('SMP_ERR_BAD_GUID', 400),
  MISSING_PARAMETER: spec('SMP_ERR_MISSING_PARAMETER', 400),
  TOO_LARGE: spec('SMP_ERR_TOO_LARGE', 413),
  FRAME_TOO_LARGE: spec('SMP_ERR_FRAME_TOO_LARGE', 400),
  BAD_FRAME: spec('SMP_ERR_BAD_FRAME', 400),
  UNSUPPORTED_VERSION: spec('SMP_ERR_UNSUPPORTED_VERSION', 400),
  UNKNOWN_MESSAGE: spec('SMP_ERR_UNKNOWN_MESSAGE', 400),
  NOT_FOUND: spec('SMP_ERR_NOT_FOUND', 404),
  UNKNOWN_RESOURCE: spec('SMP_ERR_UNKNOWN_RESOURCE', 404),
  FORBIDDEN: spec('SMP_ERR_FORBIDDEN', 403),
  /** Credentials missing or wrong (a command that calls the admin API exits 2: fix the flags or env). */
  AUTH: spec('SMP_ERR_AUTH', 401, 2),
  /** Too many failed logins from one address; retry after the window. */
  RATE_LIMITED: spec('SMP_ERR_RATE_LIMITED', 429),
  CONFLICT: spec('SMP_ERR_CONFLICT', 409),
  BACK_OFF: spec('SMP_ERR_BACK_OFF', 503),
  CAPACITY: spec('SMP_ERR_CAPACITY', 503),
  TIMEOUT: spec('SMP_ERR_TIMEOUT', 408),
  CRYPTO: spec('SMP_ERR_CRYPTO', 400),
  STORE: spec('SMP_ERR_STORE', 500),
  ENVIRONMENT: spec('SMP_ERR_ENVIRONMENT', 500, 2),
  THRESHOLD: spec('SMP_ERR_THRESHOLD', 500, 3),
  INTERNAL: spec('SMP_ERR_INTERNAL', 500, 1),
} as const satisfies Record<string, SmpErrorSpec>;

export type ErrorKind = keyof typeof ERRORS;

export function smpError(
  kind: ErrorKind,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): SmpError {
  return new SmpError(ERRORS[kind], message, details, cause);
}

export function isSmpError(err: unknown, kind?: ErrorKind): err is SmpError {
  return err instanceof SmpError && (kind === undefined || err.code === ERRORS[kind].code);
}

/** A config error names the offending value and what is allowed: one line, exit code 2. */
export function configError(source: string, value: unknown, allowed: string): SmpError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return smpError('CONFIG', `${source}: ${shown} is not allowed; expected ${allowed}`, { source, value, allowed });
}
