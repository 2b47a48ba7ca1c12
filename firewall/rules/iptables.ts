// Renders a rule plan for `iptables-restore` (IPv4 filter table): INPUT and OUTPUT policies drop,
// replies of permitted flows by conntrack, one ACCEPT a rule of the plan.
import type { RulePlan, RuleSpec } from './plan.js';
import { describeRule } from './plan.js';

export function renderIptables(plan: RulePlan, header: string): string {
  const lines = [
    ...header.split('\n').map((l) => `# ${l}`),
    '# Policy drop on input and output: everything else is dropped.',
    ...plan.unexpressed.map((u) => `# not expressible: ${u.id}: ${u.reason}`),
    '*filter',
    ':INPUT DROP [0:0]',
    ':OUTPUT DROP [0:0]',
  ];
  for (const chain of ['INPUT', 'OUTPUT'] as const) {
    lines.push(
      `-A ${chain} -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment "smp-lab: replies" -j ACCEPT`,
      `-A ${chain} -m conntrack --ctstate INVALID -j DROP`,
    );
    for (const r of plan.rules.filter((x) => x.direction === (chain === 'INPUT' ? 'in' : 'out'))) {
      lines.push(`# ${describeRule(r)}: ${r.flows.join(', ')}`, `-A ${chain} ${iptablesMatch(r)} -j ACCEPT`);
    }
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

function iptablesMatch(r: RuleSpec): string {
  const parts: string[] = [];
  if (r.loopback) parts.push(r.direction === 'in' ? '-i lo' : '-o lo');
  if (r.daddr) parts.push(`-d ${r.daddr}`);
  if (r.proto === 'icmp') parts.push(`-p icmp --icmp-type ${r.icmpType ?? 8}`);
  else if (r.proto === 'igmp') parts.push('-p igmp');
  else {
    parts.push(`-p ${r.proto}`);
    if (r.sourcePorts) parts.push(`--sport ${r.sourcePorts[0]}:${r.sourcePorts[1]}`);
    parts.push(`--dport ${r.port}`);
  }
  parts.push(`-m comment --comment "${r.flows[0] ?? ''}${r.flows.length > 1 ? ` +${r.flows.length - 1}` : ''}"`);
  return parts.join(' ');
}
