// The verbs as a user runs them: `smp-lab ts --ns URL` registers with an NS and prints its ready
// line; agents connect; `smp-lab task run --agent ...` prints a task id; `smp-lab task status ID`
// shows every agent's result as a table and as JSON.
import t from 'tap';
import { TaskAgentPool } from '../../agent/tasks/task-agent-pool.js';
import { runSmpLab, startSmpLab } from '../helpers/cli.js';
import { adminHeaders } from '../helpers/console-credentials.js';
import { freePorts } from '../helpers/free-port.js';
import { startTestNs } from '../helpers/ns.js';
import { quietLog } from '../helpers/task-lab.js';
import { waitUntil } from '../helpers/wait.js';

t.test('ts, task run and task status from the command line', async (t) => {
  const ns = await startTestNs({ store: 'memory', logger: quietLog });
  t.teardown(() => ns.close());
  const [http, channel, r1, r2] = await freePorts(4);
  const ts = startSmpLab(['ts', '--ns', ns.http, '--no-https', '--log-level', 'silent', '--port', `ts-http=${http}`,
    '--port', `ts-agent-channel=${channel}`, '--port', `ts-remoting-1=${r1}`, '--port', `ts-remoting-2=${r2}`, '--name', 'ts1.lab.local']);
  t.teardown(() => ts.stop());
  const ready = await ts.line(/ts ready: guid=\{([0-9A-F-]+)\} http=(\S+) https=off channel=127\.0\.0\.1:(\d+) remoting=127\.0\.0\.1:(\d+),127\.0\.0\.1:(\d+)/);
  t.equal(Number(ready[3]), channel);
  t.same([Number(ready[4]), Number(ready[5])], [r1, r2]);

  const pool = new TaskAgentPool({ nsUrl: ns.http, log: quietLog, tickMs: 20 });
  t.teardown(() => pool.close());
  const agents = [1, 2].map((i) => ({ guid: `22222222-0000-4000-8000-00000000000${i}`, name: `WS-${i}`, ip: `127.1.1.${i}` }));
  await waitUntil(async () => {
    try {
      await pool.start();
      return true;
    } catch {
      return false;
    }
  }, 'the NS task pages', 5000);
  await waitUntil(async () => (await (await fetch(`${ns.http}/Altiris/Console/api/task-servers`, { headers: adminHeaders() })).json() as { taskServers: unknown[] }).taskServers.length === 1,
    'the TS registered with the NS', 10_000);
  for (const a of agents) pool.add(a);
  await waitUntil(() => pool.counts().connected === 2, 'agents connected to the TS', 10_000);
  t.equal(pool.serverOf(agents[0]!.guid)?.name, 'ts1.lab.local');

  const run = await runSmpLab(['task', 'run', '--ns', ns.http, '--agent', agents[0]!.guid, '--agent', agents[1]!.guid,
    '--script', 'echo patched\nexit 0']);
  t.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  t.match(id, /^[0-9A-F-]{36}$/, 'prints the task id');
  await waitUntil(async () => {
    const s = await runSmpLab(['task', 'status', id, '--ns', ns.http, '--format', 'json']);
    return s.code === 0 && (JSON.parse(s.stdout) as { done: boolean }).done;
  }, 'the task done', 15_000);
  const table = await runSmpLab(['task', 'status', id, '--ns', ns.http]);
  t.match(table.stdout, /expected 2, completed 2, failed 0/);
  t.match(table.stdout, new RegExp(`${agents[1]!.guid}\\s+completed\\s+0\\s+patched`));

  const bad = await runSmpLab(['task', 'run', '--ns', ns.http, '--script', 'x']);
  t.equal(bad.code, 2, 'no targets is a usage error');
  t.match(bad.stderr, /exactly one of --all or --agent/);
  const missing = await runSmpLab(['ts']);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /--ns/);
});
