// Before a fleet starts: can this host reach the NS at all (name resolves, TCP port accepts)? A fleet
// against an NS it cannot reach would only count errors until --duration; a pod scheduled before its
// NS is up waits for it (--ns-wait). Connects and closes; it never sends an HTTP request.
import { connect } from 'node:net';
import { smpError } from '../../shared/errors.js';

/** One attempt's deadline (DNS + TCP handshake). */
const ATTEMPT_MS = 5000;
const RETRY_MS = 1000;

/** host and TCP port of an http(s) URL, default ports included. */
export function endpointOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  const port = u.port !== '' ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

/** Resolves when a TCP connection opened (and closed), rejects with the error code otherwise. */
function tryConnect(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: ATTEMPT_MS });
    const fail = (code: string): void => { socket.destroy(); reject(new Error(code)); };
    socket.once('connect', () => { socket.destroy(); resolve(); });
    socket.once('timeout', () => fail('ETIMEDOUT'));
    socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
  });
}

/**
 * Tries the NS until it accepts a connection or `waitMs` has passed (0: one attempt), then throws
 * one line naming the URL, the last error and the fix.
 */
export async function waitForNs(url: string,
  o: { waitMs: number; signal?: AbortSignal; onRetry?: (code: string) => void }): Promise<void> {
  const { host, port } = endpointOf(url);
  const deadline = Date.now() + o.waitMs;
  let tried = 0;
  for (;;) {
    tried += 1;
    try {
      await tryConnect(host, port);
      return;
    } catch (err) {
      const code = err instanceof Error ? err.message : String(err);
      if (Date.now() + RETRY_MS >= deadline || o.signal?.aborted === true) {
        const waited = o.waitMs > 0 ? ` (${tried} attempts in ${Math.round(o.waitMs / 1000)} s)` : '';
        throw smpError('ENVIRONMENT', `cannot reach the NS at ${url}: ${code}${waited}; `
          + 'check --ns (host, port, http or https) and that the NS is up and reachable from here, '
          + 'or wait for it with --ns-wait TIME');
      }
      if (tried === 1) o.onRetry?.(code);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, RETRY_MS);
        function done(): void { clearTimeout(timer); o.signal?.removeEventListener('abort', done); resolve(); }
        o.signal?.addEventListener('abort', done, { once: true });
      });
    }
  }
}
