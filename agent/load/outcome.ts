// The closed vocabularies of load measurement: which SMP endpoint a request hit and how it ended.
// Every counter, histogram and metric label is keyed by these two sets only, never by agent, so
// memory and metric series stay bounded whatever the fleet size. Classification never throws.

/** Request kinds of a simulated agent (metric label values; SMP page names in ENDPOINT_PAGES). */
export const ENDPOINTS = [
  'install', 'create-resource', 'get-client-policies', 'post-event', 'get-package-info',
  'get-package-snapshot', 'package-download', 'speed-check', 'task-channel', 'package-multicast',
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** The SMP name of each endpoint, as the reports show it. */
export const ENDPOINT_PAGES: Readonly<Record<Endpoint, string>> = {
  install: 'agent install',
  'create-resource': 'CreateResource',
  'get-client-policies': 'GetClientPolicies',
  'post-event': 'PostEvent',
  'get-package-info': 'GetPackageInfo',
  'get-package-snapshot': 'GetPackageSnapshot',
  'package-download': 'package download',
  'speed-check': 'speed check',
  'task-channel': 'task channel',
  'package-multicast': 'package multicast',
};

/**
 * How a request ended: a closed set. `other` is anything the classifier does not recognise;
 * `bad-signature` (a package snapshot whose signature does not verify) and `bad-checksum` (a package
 * file whose size or SHA-256 differs from the signed snapshot) are software delivery's refusals.
 */
export const OUTCOMES = ['ok', 'http-4xx', 'http-5xx', 'bad-xml', 'reset', 'timeout', 'refused', 'tls', 'other', 'bad-signature', 'bad-checksum'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const ENDPOINT_INDEX: Readonly<Record<Endpoint, number>> = Object.fromEntries(ENDPOINTS.map((e, i) => [e, i])) as Record<Endpoint, number>;
export const OUTCOME_INDEX: Readonly<Record<Outcome, number>> = Object.fromEntries(OUTCOMES.map((o, i) => [o, i])) as Record<Outcome, number>;

export const isEndpoint = (s: unknown): s is Endpoint => typeof s === 'string' && Object.hasOwn(ENDPOINT_INDEX, s);
export const isOutcome = (s: unknown): s is Outcome => typeof s === 'string' && Object.hasOwn(OUTCOME_INDEX, s);

/** Outcome of an HTTP response status (1xx-3xx count as ok: the request was answered). */
export function outcomeOfStatus(status: number): Outcome {
  if (status >= 500) return 'http-5xx';
  if (status >= 400) return 'http-4xx';
  return 'ok';
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ABORT_ERR']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'HPE_INVALID_CONSTANT', 'HPE_INVALID_CHUNK_SIZE']);
const REFUSED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** Outcome of a transport error (node errno / TLS / undici codes); an SmpError BAD_XML is `bad-xml`. */
export function outcomeOfError(err: unknown): Outcome {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code === 'SMP_ERR_BAD_XML') return 'bad-xml';
  if (TIMEOUT_CODES.has(code) || e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  if (RESET_CODES.has(code)) return 'reset';
  if (REFUSED_CODES.has(code)) return 'refused';
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT'
    || code.startsWith('UNABLE_TO_') || code === 'EPROTO') return 'tls';
  if (typeof e?.message === 'string' && e.message === 'socket hang up') return 'reset';
  return 'other';
}
