// Generated docs: docs/ports.md (the port table from the catalog), docs/cli.md (the command reference
// from the verbs' option specs) and deploy/kubernetes/smp-lab.yaml, what `smp-lab deploy kubernetes`
// prints with its defaults. `npm run docs` rewrites them; a test fails when they drift.
import { resolvePorts } from '../shared/ports.js';
import { SYSTEMS } from '../shared/catalog-types.js';
import { formatMarkdown } from '../firewall/catalog-format.js';
import { verbHelp } from '../cli/help.js';
import { VERBS } from '../cli/verbs/index.js';
import { deployVerb, requestOf } from '../cli/verbs/deploy.js';
import { resolveConfig } from '../shared/config.js';
import { renderDeployment } from '../deploy/manifests/index.js';

export function portTableMarkdown(): string {
  const map = resolvePorts();
  return SYSTEMS.map((system) => `### ${system}\n\n${formatMarkdown(map.select({ systems: [system] }))}`).join('\n');
}

export function commandReferenceMarkdown(): string {
  return VERBS.map((v) => `### \`smp-lab ${v.name}\`\n\n\`\`\`\n${verbHelp(v)}\`\`\`\n`).join('\n');
}

export function renderCliDoc(): string {
  return [
    '# smp-lab command reference',
    '',
    'Generated from the verbs\' option specs by `npm run docs`; do not edit by hand. Every option is also',
    'read from `SMP_LAB_<OPTION>` and from `--config FILE`; flags beat the environment, which beats the file,',
    'which beats the defaults (see the [README](../README.md#configuration)).',
    '',
    commandReferenceMarkdown(),
  ].join('\n');
}

export function renderPortsDoc(): string {
  return [
    '# SMP 7.x ports and protocols in smp-lab',
    '',
    'Generated from `shared/catalog.ts` by `npm run docs`; do not edit by hand.',
    'Every row is one flow: `from` starts it, `to` listens. Flow ids are what `--port FLOW=PORT` takes.',
    '',
    portTableMarkdown(),
  ].join('\n');
}

/** Where the committed default manifests live, relative to the repository. */
export const KUBERNETES_MANIFEST = 'deploy/kubernetes/smp-lab.yaml';

/** `smp-lab deploy kubernetes` with every default (no flags, no SMP_LAB_* environment). */
export function renderDefaultManifests(): string {
  const sources = { argv: ['kubernetes'], env: {}, verb: 'deploy', positionals: true };
  const { config } = resolveConfig(deployVerb.options, sources);
  return renderDeployment(requestOf(config));
}
