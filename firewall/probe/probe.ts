// `probe`: for each catalog flow that the given initiator roles start toward the listener roles on
// the peer, run the initiator once (bounded concurrency, one deadline per flow) and classify it.
// Never sends to any address but the peer (and, for multicast, the group on the peer's subnet).
import { isIP } from 'node:net';
import type { ResolvedFlow, Role } from '../../shared/catalog-types.js';
import type { PortMap } from '../../shared/ports.js';
import { failed, resultRow, skipped, type ProbeResult, type Verdict } from '../probe-status.js';
import { errorText } from './bytes-preview.js';
import { findPing, probeIcmp } from './icmp-probe.js';
import { probeTcpFlow, type ProbeTarget } from './tcp-probes.js';
import { probeUdpFlow } from './udp-probes.js';

export interface ProbeOptions {
  readonly map: PortMap;
  /** Initiator roles played here. */
  readonly roles: readonly Role[];
  readonly peer: string;
  /** Listener roles running on the peer; default: every role the initiators reach except themselves. */
  readonly peerRoles?: readonly Role[];
  /** Only these flow ids (after the role selection). */
  readonly flows?: readonly string[];
  readonly timeoutMs: number;
  readonly concurrency: number;
  /** PEM bundle the HTTPS certificates must chain to. */
  readonly ca?: string;
  /** PATH to look for `ping` in. */
  readonly pathEnv?: string;
  readonly direction?: string;
  /** Called as each flow finishes (progress). */
  readonly onResult?: (r: ProbeResult) => void;
}

export function selectFlows(o: Pick<ProbeOptions, 'map' | 'roles' | 'peerRoles' | 'flows'>): ResolvedFlow[] {
  const started = o.map.select({ initiator: o.roles });
  const peerRoles = o.peerRoles ?? [...new Set(started.map((f) => f.listener))].filter((r) => !o.roles.includes(r));
  const chosen = started.filter((f) => peerRoles.includes(f.listener));
  return o.flows === undefined ? chosen : chosen.filter((f) => o.flows?.includes(f.id));
}

const isLoopback = (addr: string): boolean => addr.startsWith('127.') || addr === '::1' || addr === 'localhost';

export async function runProbe(o: ProbeOptions): Promise<ProbeResult[]> {
  const flows = selectFlows(o);
  const target: ProbeTarget = { peer: o.peer, timeoutMs: o.timeoutMs, ...(o.ca !== undefined ? { ca: o.ca } : {}) };
  const ping = findPing(o.pathEnv);
  const results: ProbeResult[] = new Array<ProbeResult>(flows.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < flows.length; i = next++) {
      const flow = flows[i] as ResolvedFlow;
      const started = performance.now();
      let v: Verdict;
      try {
        v = await probeOne(flow, target, ping);
      } catch (err) {
        v = failed(errorText(err));
      }
      const row = resultRow(flow, v, performance.now() - started, o.direction);
      results[i] = row;
      o.onResult?.(row);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, flows.length)) }, worker));
  return results;
}

function probeOne(flow: ResolvedFlow, t: ProbeTarget, ping: string | null): Promise<Verdict> {
  if (flow.loopbackOnly && !isLoopback(t.peer)) {
    return Promise.resolve(skipped(`loopback-only port ${flow.port ?? ''}: bound to 127.0.0.1 on its host, never reachable from another host`));
  }
  if (flow.transport === 'icmp') return probeIcmp(ping, t.peer, t.timeoutMs);
  if (flow.port === null) return Promise.resolve(skipped(`the catalog gives no port for ${flow.protocol} (${flow.note ?? 'not stated'})`));
  if (isIP(t.peer) === 6 && flow.transport !== 'tcp') return Promise.resolve(skipped('UDP probes are IPv4 only'));
  return flow.transport === 'tcp' ? probeTcpFlow(flow, flow.port, t) : probeUdpFlow(flow, flow.port, t);
}
