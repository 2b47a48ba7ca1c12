// The rule plan: which packets a host of the given roles must let in and out so that exactly the
// catalog's flows for those roles pass, each in its direction. Renderers (nft, iptables, netsh)
// only print a plan; none of them decides what is open.
import type { ResolvedFlow, Role } from '../../shared/catalog-types.js';
import type { PortMap } from '../../shared/ports.js';

export type Direction = 'in' | 'out';

export interface RuleSpec {
  readonly direction: Direction;
  readonly proto: 'tcp' | 'udp' | 'icmp' | 'igmp';
  /** Destination port (tcp/udp). */
  readonly port?: number;
  /** Destination address (multicast group). */
  readonly daddr?: string;
  /** Source port range of the initiator, where the catalog constrains it. */
  readonly sourcePorts?: readonly [number, number];
  /** ICMP type (echo request = 8). */
  readonly icmpType?: number;
  /** Only on the loopback interface. */
  readonly loopback: boolean;
  /** Catalog flow ids this rule carries, in catalog order. */
  readonly flows: string[];
}

export interface RulePlan {
  readonly roles: readonly Role[];
  readonly rules: readonly RuleSpec[];
  /** Flows of these roles that no rule can express (no port in the seed), with the reason. */
  readonly unexpressed: readonly { id: string; reason: string }[];
}

export function planRules(map: PortMap, roles: readonly Role[]): RulePlan {
  const rules = new Map<string, RuleSpec>();
  const unexpressed: { id: string; reason: string }[] = [];
  const add = (spec: Omit<RuleSpec, 'flows'>, id: string): void => {
    const key = JSON.stringify(spec);
    const found = rules.get(key);
    if (found) {
      if (!found.flows.includes(id)) found.flows.push(id);
    } else rules.set(key, { ...spec, flows: [id] });
  };
  for (const f of map.flows) {
    const directions: Direction[] = [];
    if (roles.includes(f.initiator)) directions.push('out');
    if (roles.includes(f.listener)) directions.push('in');
    if (directions.length === 0) continue;
    const spec = ruleFor(f);
    if (spec === null) {
      unexpressed.push({ id: f.id, reason: f.note ?? 'the seed gives no port' });
      continue;
    }
    for (const direction of directions) {
      add({ direction, ...spec }, f.id);
    }
    // Joining a group needs IGMP both ways (membership reports out, queries in).
    if (f.transport === 'udp-multicast') {
      add({ direction: 'in', proto: 'igmp', loopback: false }, f.id);
      add({ direction: 'out', proto: 'igmp', loopback: false }, f.id);
    }
  }
  return { roles, rules: [...rules.values()], unexpressed };
}

function ruleFor(f: ResolvedFlow): Omit<RuleSpec, 'flows' | 'direction'> | null {
  if (f.transport === 'icmp') return { proto: 'icmp', icmpType: f.icmpType ?? 8, loopback: false };
  if (f.port === null) return null;
  return {
    proto: f.transport === 'tcp' ? 'tcp' : 'udp',
    port: f.port,
    ...(f.group ? { daddr: f.group } : {}),
    ...(f.sourcePorts ? { sourcePorts: f.sourcePorts } : {}),
    loopback: f.loopbackOnly,
  };
}

/** A short human label of a rule, shared by the renderers' comments. */
export function describeRule(r: RuleSpec): string {
  const what = r.proto === 'icmp' ? `icmp type ${r.icmpType ?? 8}` : r.proto === 'igmp' ? 'igmp' : `${r.proto} ${r.port}`;
  return `${r.direction === 'in' ? 'in' : 'out'} ${what}${r.daddr ? ` to ${r.daddr}` : ''}${r.loopback ? ' on loopback' : ''}`;
}
