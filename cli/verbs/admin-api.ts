// The CLI's client of the NS admin API (/Altiris/Console/api): JSON in and out, with the console
// credentials of the verb (Basic with user and password, or a bearer token). Missing or refused
// credentials end the command with one line and exit code 2; an unreachable NS with exit 1.
import type { ConfigOf } from '../../shared/config.js';
import { smpError } from '../../shared/errors.js';
import type { CONSOLE_CLIENT_OPTIONS } from './console-options.js';

export type ConsoleCredentials = ConfigOf<typeof CONSOLE_CLIENT_OPTIONS>;

const HOW = 'give --console-password (or SMP_LAB_CONSOLE_PASSWORD, or consolePassword in the --config file) or --console-token';

export function authorization(c: ConsoleCredentials): string {
  if (c.consoleToken !== undefined) return `Bearer ${c.consoleToken}`;
  if (c.consolePassword !== undefined) return `Basic ${Buffer.from(`${c.consoleUser}:${c.consolePassword}`).toString('base64')}`;
  throw smpError('AUTH', `the NS admin API needs console credentials: ${HOW}`);
}

export async function adminApi<T>(ns: string, creds: ConsoleCredentials, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: authorization(creds) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(new URL(`/Altiris/Console/api${path}`, ns), {
      method, signal: AbortSignal.timeout(30_000), headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw smpError('TIMEOUT', `cannot reach the NS at ${ns}: ${(err as Error).message}`);
  }
  const json = (await res.json().catch(() => ({}))) as T & { error?: { code: string; message: string } };
  if (res.status === 401) {
    const who = creds.consoleToken !== undefined ? 'the bearer token' : `user "${creds.consoleUser}" and the password`;
    throw smpError('AUTH', `the NS at ${ns} refused ${who}: ${json.error?.message ?? 'wrong credentials'}; ${HOW}`);
  }
  if (res.status === 429) throw smpError('AUTH', `the NS at ${ns} refused: ${json.error?.message ?? 'too many failed credentials'}`);
  if (!res.ok) throw smpError('BAD_INPUT', `NS answered ${res.status}: ${json.error?.message ?? 'no reason given'}`);
  return json;
}
