// `smp-lab ports`: the catalog as a table, as data, or as ready-to-apply firewall rules for a role.
import { writeFileSync } from 'node:fs';
import { COMMON_OPTIONS, PORT_OPTIONS, defineOptions } from '../../shared/config.js';
import { configError } from '../../shared/errors.js';
import { resolvePorts } from '../../shared/ports.js';
import { formatCsv, formatJson, formatMarkdown, formatTable } from '../../firewall/catalog-format.js';
import { planRules } from '../../firewall/rules/plan.js';
import { renderNft } from '../../firewall/rules/nft.js';
import { renderIptables } from '../../firewall/rules/iptables.js';
import { renderNetsh } from '../../firewall/rules/netsh.js';
import { defineVerb } from '../verb.js';

const RULE_FORMATS = ['nft', 'iptables', 'netsh'] as const;

const options = defineOptions({
  ...COMMON_OPTIONS,
  ...PORT_OPTIONS,
  format: { type: 'enum', short: 'f', choices: ['table', 'json', 'csv', 'md', ...RULE_FORMATS], default: 'table', arg: 'FORMAT',
    help: 'output format; nft, iptables and netsh print firewall rules for --role' },
  role: { type: 'roles', arg: 'ROLES', help: 'only flows these roles take part in (comma list); the host\'s roles for rule formats' },
  system: { type: 'systems', arg: 'SYSTEMS', help: 'only flows of these systems of the seed (comma list)' },
  out: { type: 'path', short: 'o', arg: 'FILE', help: 'write to FILE instead of standard output' },
});

export const portsVerb = defineVerb({
  name: 'ports',
  summary: 'which ports, which direction, which protocol: the catalog as a table, data or firewall rules',
  options,
  description:
    'Rule formats open exactly the catalog flows of --role on a host of that role, each in its direction:\n' +
    'inbound where the role listens, outbound where it initiates; replies pass by connection tracking.',
  async run(config, _positionals, ctx) {
    const map = resolvePorts({ offset: config.portOffset, perFlow: config.port ?? {} });
    const flows = map.select({
      ...(config.role ? { roles: config.role } : {}),
      ...(config.system ? { systems: config.system } : {}),
    });
    const isRules = (RULE_FORMATS as readonly string[]).includes(config.format);
    if (isRules && (config.role === undefined || config.role.length === 0)) {
      throw configError('--role', '', `a role for ${config.format} rules (the roles of the host the rules protect)`);
    }
    let text: string;
    if (isRules) {
      const roles = config.role ?? [];
      const plan = planRules(map, roles);
      const header = [
        `smp-lab firewall rules for a host with role(s) ${roles.join(', ')}`,
        `made by: smp-lab ports --role ${roles.join(',')} --format ${config.format}` +
          (map.offset ? ` --port-offset ${map.offset}` : ''),
        'Inbound: flows this host listens for; outbound: flows it starts.',
      ].join('\n');
      text = config.format === 'nft' ? renderNft(plan, header)
        : config.format === 'iptables' ? renderIptables(plan, header)
        : renderNetsh(plan, header);
    } else {
      text = config.format === 'json' ? formatJson(flows)
        : config.format === 'csv' ? formatCsv(flows)
        : config.format === 'md' ? formatMarkdown(flows)
        : formatTable(flows);
    }
    if (config.out) writeFileSync(config.out, text);
    else ctx.stdout.write(text);
    return 0;
  },
});
