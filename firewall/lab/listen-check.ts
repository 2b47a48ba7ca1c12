// verify-rules' own readiness check of a lab responder: which of the sockets the responder's plan
// must open are not in the kernel's listen table of its namespace (read with `ss`). Never trusts the
// responder's word alone, and never probes the sockets itself (that is the probe's job).
import type { Role } from '../../shared/catalog-types.js';
import { smpError } from '../../shared/errors.js';
import type { PortMap } from '../../shared/ports.js';
import { planResponders, type ListenerSpec } from '../respond/plan.js';
import { run } from './netns.js';

/** One socket a responder must hold: what `ss` shows for it. */
export interface ExpectedSocket {
  readonly netid: 'tcp' | 'udp';
  readonly address: string;
  readonly port: number;
  /** How to name it in an error (transport, address:port, protocol). */
  readonly label: string;
}

export interface TableEntry {
  readonly netid: string;
  readonly address: string;
  readonly port: number;
}

const WILDCARDS: ReadonlySet<string> = new Set(['0.0.0.0', '*']);

/** The sockets `smp-lab respond --role ROLES --bind BIND` opens with this port map. */
export function expectedSockets(map: PortMap, roles: readonly Role[], bind: string): ExpectedSocket[] {
  return planResponders(map, roles, bind).listeners.map(socketOf);
}

function socketOf(spec: ListenerSpec): ExpectedSocket {
  // Multicast responders bind the wildcard address so that group traffic reaches them.
  const address = spec.transport === 'udp-multicast' ? '0.0.0.0' : spec.address;
  return {
    netid: spec.transport === 'tcp' ? 'tcp' : 'udp', address, port: spec.port,
    label: `${spec.transport} ${address}:${spec.port} ${spec.protocol}${spec.group ? ` (group ${spec.group})` : ''}`,
  };
}

/** Parses `ss -Hlntu` output (netid state recv-q send-q local peer); skips lines it cannot read. */
export function parseListenTable(text: string): TableEntry[] {
  const entries: TableEntry[] = [];
  for (const line of text.slice(0, 1024 * 1024).split('\n')) {
    const f = line.trim().split(/\s+/);
    const local = f[4];
    if (f.length < 5 || local === undefined) continue;
    const colon = local.lastIndexOf(':');
    const port = Number(local.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) continue;
    const address = local.slice(0, colon).replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    entries.push({ netid: f[0] ?? '', address, port });
  }
  return entries;
}

/** The expected sockets the table does not hold (a wildcard bind of the same port holds any address). */
export function missingSockets(expected: readonly ExpectedSocket[], table: readonly TableEntry[]): ExpectedSocket[] {
  return expected.filter((e) => !table.some((t) => t.netid === e.netid && t.port === e.port
    && (t.address === e.address || WILDCARDS.has(t.address))));
}

/** Rejects (naming every missing socket and `when`) unless the namespace listens on all of `expected`. */
export async function checkListening(ns: string, expected: readonly ExpectedSocket[], when: string): Promise<void> {
  const table = parseListenTable(await run('ip', ['netns', 'exec', ns, 'ss', '-Hlntu']));
  const missing = missingSockets(expected, table);
  if (missing.length > 0) {
    throw smpError('ENVIRONMENT', `respond in ${ns} ${when}, but the kernel shows no socket for ${missing.map((m) => m.label).join('; ')}`,
      { namespace: ns, missing: missing.map((m) => m.label) });
  }
}
