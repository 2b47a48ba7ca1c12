// `smp-lab task run|status`: create a task on the NS for some or all agents and print its id, or
// print a task's per-agent statuses as a table or JSON. Talks to the NS admin API
// (/Altiris/Console/api/tasks) with the console credentials; parsing and printing only.
import { COMMON_OPTIONS } from '../../shared/config.js';
import { configError, smpError } from '../../shared/errors.js';
import { defineVerb } from '../verb.js';
import { adminApi } from './admin-api.js';
import { CONSOLE_CLIENT_OPTIONS } from './console-options.js';

interface TaskView {
  id: string; type: string; name: string; version: number; expected: number; done: boolean;
  counts: Record<string, number>;
  statuses: { resourceGuid: string; state: string; exitCode: number | null; output: string; updatedAt: number }[];
}

export const taskVerb = defineVerb({
  name: 'task',
  usage: 'run (--all | --agent GUID...) [--script TEXT | --type power --action restart | --type inventory] | status ID',
  summary: 'create a task for agents through the NS, or show a task\'s status per agent',
  description: 'Script runs are simulated: `sleep N`, `echo TEXT` and `exit N` lines give the duration, output and exit code.',
  positionals: true,
  options: {
    ...COMMON_OPTIONS, ...CONSOLE_CLIENT_OPTIONS,
    ns: { type: 'url', arg: 'URL', help: 'Notification Server base URL (required)' },
    all: { type: 'bool', default: false, help: 'run: every agent of every task server' },
    agent: { type: 'list', multiple: true, arg: 'GUID', help: 'run: target agent GUIDs (repeatable or comma-separated)' },
    script: { type: 'string', arg: 'TEXT', help: 'run: script text of a script task' },
    type: { type: 'enum', choices: ['script', 'power', 'inventory'], default: 'script', arg: 'TYPE', help: 'run: task type' },
    action: { type: 'enum', choices: ['restart', 'shutdown', 'logoff'], arg: 'ACTION', help: 'run: power action' },
    name: { type: 'string', arg: 'TEXT', help: 'run: task name' },
    format: { type: 'enum', choices: ['table', 'json'], default: 'table', arg: 'FORMAT', help: 'status: output format' },
  },
  async run(config, pos, ctx) {
    const [sub, id, ...extra] = pos;
    if (config.ns === undefined) throw configError('--ns', '', 'the NS base URL, e.g. --ns http://127.0.0.1:80');
    if (sub === 'run' && id === undefined) {
      if (config.all === ((config.agent ?? []).length > 0)) throw configError('targets', '', 'exactly one of --all or --agent GUID...');
      if (config.type === 'script' && config.script === undefined) throw configError('--script', '', 'script text for a script task');
      const created = await adminApi<{ id: string; expected: number }>(config.ns, config, 'POST', '/tasks', {
        type: config.type, targets: config.all ? 'all' : config.agent,
        ...(config.script !== undefined ? { script: config.script } : {}), ...(config.action ? { action: config.action } : {}),
        ...(config.name ? { name: config.name } : {}),
      });
      ctx.stdout.write(`${created.id}\n`);
      return 0;
    }
    if (sub === 'status' && id !== undefined && extra.length === 0) {
      const v = await adminApi<TaskView>(config.ns, config, 'GET', `/tasks/${encodeURIComponent(id)}`);
      ctx.stdout.write(config.format === 'json' ? `${JSON.stringify(v, null, 2)}\n` : table(v));
      return 0;
    }
    throw smpError('USAGE', 'task: expected `task run (--all | --agent GUID...) --script TEXT` or `task status ID`');
  },
});

function table(v: TaskView): string {
  const c = v.counts;
  const lines = [
    `task ${v.id} (${v.type}, version ${v.version}): expected ${v.expected}, completed ${c['completed'] ?? 0}, failed ${c['failed'] ?? 0}, ` +
      `running ${c['running'] ?? 0}, pending ${c['pending'] ?? 0}${v.done ? ', done' : ''}`,
    `${'AGENT'.padEnd(38)} ${'STATE'.padEnd(10)} ${'EXIT'.padStart(5)}  OUTPUT`,
    ...v.statuses.map((s) => `${s.resourceGuid.padEnd(38)} ${s.state.padEnd(10)} ${String(s.exitCode ?? '').padStart(5)}  ${s.output.split('\n')[0]?.slice(0, 60) ?? ''}`),
  ];
  return `${lines.join('\n')}\n`;
}
