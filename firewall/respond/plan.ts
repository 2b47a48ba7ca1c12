// Which sockets `smp-lab respond` opens: the catalog flows whose listener is one of the given roles,
// grouped so that every (transport, address, port) is bound once and serves all flows that share it.
// Pure; opens nothing.
import type { AppProtocol, ResolvedFlow, Role } from '../../shared/catalog-types.js';
import type { PortMap } from '../../shared/ports.js';
import { usesTls } from '../http-routes.js';

export interface ListenerSpec {
  readonly transport: 'tcp' | 'udp' | 'udp-multicast';
  /** Address to bind: 127.0.0.1 for loopback-only flows, else the --bind address. */
  readonly address: string;
  readonly port: number;
  readonly protocol: AppProtocol;
  readonly tls: boolean;
  readonly group?: string;
  readonly roles: readonly Role[];
  readonly flows: readonly ResolvedFlow[];
}

export interface ResponderPlan {
  readonly listeners: readonly ListenerSpec[];
  /** Flows with nothing to bind, and why (ICMP is answered by the kernel; portless rows). */
  readonly unbound: readonly { readonly flow: ResolvedFlow; readonly reason: string }[];
}

export function planResponders(map: PortMap, roles: readonly Role[], bind: string): ResponderPlan {
  const groups = new Map<string, { spec: Omit<ListenerSpec, 'roles' | 'flows'>; roles: Set<Role>; flows: ResolvedFlow[] }>();
  const unbound: { flow: ResolvedFlow; reason: string }[] = [];
  for (const flow of map.select({ listener: roles })) {
    if (flow.transport === 'icmp') {
      unbound.push({ flow, reason: 'ICMP echo is answered by the kernel; nothing to bind' });
      continue;
    }
    if (flow.port === null) {
      unbound.push({ flow, reason: 'the catalog gives no port for this flow' });
      continue;
    }
    const address = flow.loopbackOnly ? '127.0.0.1' : bind;
    const key = `${flow.transport}|${address}|${flow.port}|${flow.group ?? ''}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = {
        spec: { transport: flow.transport, address, port: flow.port, protocol: flow.protocol, tls: usesTls(flow),
          ...(flow.group ? { group: flow.group } : {}) },
        roles: new Set(),
        flows: [],
      };
      groups.set(key, g);
    }
    g.roles.add(flow.listener);
    g.flows.push(flow);
  }
  const listeners = [...groups.values()].map((g) => ({ ...g.spec, roles: [...g.roles].sort(), flows: g.flows }));
  return { listeners, unbound };
}

/** One line a user can act on for a failed bind. */
export function explainBindError(err: unknown, port: number): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return port < 1024
        ? 'permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE (or use --port-offset 11000)'
        : 'permission denied';
    case 'EADDRINUSE':
      return 'address in use: another process listens on this port';
    case 'EADDRNOTAVAIL':
      return 'address not available: the --bind address is not on this host';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
