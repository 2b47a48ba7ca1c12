// Renders a rule plan as an nftables ruleset (`nft -f`): one inet table with input and output chains
// whose policy is drop, so the host passes the plan's flows and nothing else.
import type { RulePlan, RuleSpec } from './plan.js';
import { describeRule } from './plan.js';

const TABLE = 'smp_lab';

export function renderNft(plan: RulePlan, header: string): string {
  const chain = (name: 'input' | 'output', direction: 'in' | 'out'): string[] => [
    `\tchain ${name} {`,
    `\t\ttype filter hook ${name} priority filter; policy drop;`,
    '\t\tct state established,related accept comment "smp-lab: replies of permitted flows"',
    '\t\tct state invalid drop',
    `\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept comment "smp-lab: IPv6 neighbour discovery"`,
    ...plan.rules.filter((r) => r.direction === direction).flatMap((r) => [`\t\t# ${describeRule(r)}: ${r.flows.join(', ')}`, `\t\t${nftRule(r)}`]),
    '\t}',
  ];
  return [
    '#!/usr/sbin/nft -f',
    ...header.split('\n').map((l) => `# ${l}`),
    '# Policy drop on input and output: everything else is dropped.',
    ...plan.unexpressed.map((u) => `# not expressible: ${u.id}: ${u.reason}`),
    `table inet ${TABLE}`,
    `delete table inet ${TABLE}`,
    `table inet ${TABLE} {`,
    ...chain('input', 'in'),
    ...chain('output', 'out'),
    '}',
    '',
  ].join('\n');
}

function nftRule(r: RuleSpec): string {
  const parts: string[] = [];
  if (r.loopback) parts.push(r.direction === 'in' ? 'iifname "lo"' : 'oifname "lo"');
  if (r.daddr) parts.push(`ip daddr ${r.daddr}`);
  if (r.proto === 'icmp') parts.push(`icmp type ${r.icmpType === 8 ? 'echo-request' : String(r.icmpType)}`);
  else if (r.proto === 'igmp') parts.push('ip protocol igmp');
  else {
    if (r.sourcePorts) parts.push(`${r.proto} sport ${r.sourcePorts[0]}-${r.sourcePorts[1]}`);
    parts.push(`${r.proto} dport ${r.port}`);
  }
  parts.push(`accept comment "${r.flows[0] ?? ''}${r.flows.length > 1 ? ` +${r.flows.length - 1}` : ''}"`);
  return parts.join(' ');
}
