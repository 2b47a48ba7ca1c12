// Renders a rule plan as PowerShell New-NetFirewallRule lines (Windows Defender Firewall), grouped
// under "smp-lab" so the set can be removed and re-applied as one.
import type { RulePlan, RuleSpec } from './plan.js';
import { describeRule } from './plan.js';

const GROUP = 'smp-lab';
const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export function renderNetsh(plan: RulePlan, header: string): string {
  return [
    ...header.split('\n').map((l) => `# ${l}`),
    '# Run in an elevated PowerShell. Inbound and outbound default actions are left as they are;',
    '# to pass only these flows: Set-NetFirewallProfile -All -DefaultInboundAction Block -DefaultOutboundAction Block',
    ...plan.unexpressed.map((u) => `# not expressible: ${u.id}: ${u.reason}`),
    `Remove-NetFirewallRule -Group ${quote(GROUP)} -ErrorAction SilentlyContinue`,
    ...plan.rules.map(psRule),
    '',
  ].join('\n');
}

function psRule(r: RuleSpec): string {
  const label = describeRule(r);
  const parts = [
    'New-NetFirewallRule',
    `-Group ${quote(GROUP)}`,
    `-DisplayName ${quote(`smp-lab ${label}`)}`,
    `-Description ${quote(r.flows.join(', '))}`,
    `-Direction ${r.direction === 'in' ? 'Inbound' : 'Outbound'}`,
    '-Action Allow',
  ];
  if (r.proto === 'icmp') parts.push('-Protocol ICMPv4', `-IcmpType ${r.icmpType ?? 8}`);
  else if (r.proto === 'igmp') parts.push('-Protocol 2');
  else {
    parts.push(`-Protocol ${r.proto.toUpperCase()}`);
    if (r.direction === 'in') parts.push(`-LocalPort ${r.port}`);
    else {
      parts.push(`-RemotePort ${r.port}`);
      if (r.sourcePorts) parts.push(`-LocalPort ${r.sourcePorts[0]}-${r.sourcePorts[1]}`);
    }
  }
  if (r.daddr) parts.push(r.direction === 'in' ? `-LocalAddress ${r.daddr}` : `-RemoteAddress ${r.daddr}`);
  if (r.loopback) parts.push('-LocalAddress 127.0.0.1', '-RemoteAddress 127.0.0.1');
  return parts.join(' ');
}
