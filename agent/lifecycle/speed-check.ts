// The agent's download-source speed check and the order it tries codebases in. The real agent
// pings each source (ICMP echo); Node cannot open an ICMP socket without a native addon, so the
// simulator times a TCP connect from the agent's own address to each codebase's host:port instead.
// A probe never sends a byte and is closed at once; probes never throw.
import { connect } from 'node:net';
import type { Codebase } from '../../shared/protocol/package-info.js';
import { outcomeOfError, type Outcome } from '../load/outcome.js';
import { portOfUrl } from './http-client.js';

export interface ProbeResult {
  /** Connect time in ms; null when the host:port could not be reached. */
  readonly ms: number | null;
  readonly outcome: Outcome;
}

export interface CodebaseTarget {
  readonly codebase: Codebase;
  readonly url: URL;
  /** `host:port` as probed (IPv6 hosts unbracketed). */
  readonly host: string;
  readonly port: number;
}

/** HTTP and HTTPS codebases with a parseable URL (UNC ones need SMB, which the simulator does not speak). */
export function downloadTargets(codebases: readonly Codebase[]): CodebaseTarget[] {
  const out: CodebaseTarget[] = [];
  for (const c of codebases) {
    if (c.type === 'UNC') continue;
    let url: URL;
    try {
      url = new URL(c.url.endsWith('/') ? c.url : `${c.url}/`);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    const port = portOfUrl(url);
    out.push({ codebase: c, url, host: url.hostname.replace(/^\[|\]$/g, ''), port });
  }
  return out;
}

/** Time of one TCP connect to host:port from `localAddress`, bounded by `timeoutMs`. */
export function connectTime(host: string, port: number, localAddress: string | undefined, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const sock = connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    const finish = (r: ProbeResult): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ms: null, outcome: 'timeout' }), timeoutMs);
    sock.once('connect', () => finish({ ms: performance.now() - t0, outcome: 'ok' }));
    sock.once('error', (err) => finish({ ms: null, outcome: outcomeOfError(err) }));
  });
}

export const keyOf = (t: CodebaseTarget): string => `${t.host}|${t.port}`;

/** Probes each distinct host:port once (in parallel); `onProbe` sees every probe as it ends. */
export async function probeTargets(targets: readonly CodebaseTarget[], localAddress: string | undefined, timeoutMs: number,
  onProbe: (r: ProbeResult) => void): Promise<Map<string, ProbeResult>> {
  const distinct = new Map<string, CodebaseTarget>();
  for (const t of targets) if (!distinct.has(keyOf(t))) distinct.set(keyOf(t), t);
  const results = new Map<string, ProbeResult>();
  await Promise.all([...distinct].map(async ([key, t]) => {
    const r = await connectTime(t.host, t.port, localAddress, timeoutMs);
    results.set(key, r);
    onProbe(r);
  }));
  return results;
}

/**
 * The order the agent downloads in: codebases whose host:port answered, by the speed of their host
 * (its best connect time over its ports: an ICMP echo measures a host, not a port) in whole
 * milliseconds, fastest first; equal speeds keep the NS's order (its site ranking: local package
 * servers first, the request's scheme first). Codebases whose port did not answer are left out.
 * `factor`: the share of its speed a source is credited with after download errors (source-speeds.ts).
 */
export function rankTargets(targets: readonly CodebaseTarget[], probes: ReadonlyMap<string, ProbeResult>,
  factor: (t: CodebaseTarget) => number = () => 1): CodebaseTarget[] {
  const hostMs = new Map<string, number>();
  for (const t of targets) {
    const ms = probes.get(keyOf(t))?.ms;
    if (ms !== null && ms !== undefined) hostMs.set(t.host, Math.min(ms, hostMs.get(t.host) ?? Infinity));
  }
  // A source's effective speed is its measured speed times its penalty factor: its time divided by it.
  return targets
    .map((t, i) => ({ t, i, ms: typeof probes.get(keyOf(t))?.ms === 'number' ? Math.floor(hostMs.get(t.host)! / factor(t)) : null }))
    .filter((x): x is { t: CodebaseTarget; i: number; ms: number } => x.ms !== null)
    .sort((a, b) => a.ms - b.ms || a.i - b.i)
    .map((x) => x.t);
}
