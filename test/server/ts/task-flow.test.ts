// End to end over real sockets: agents ask the NS for task servers, register with the TS, hold a
// 50124 link, are told of a new task, fetch it, run it and post status; the NS API shows it.
import t from 'tap';
import { TaskAgentPool } from '../../../agent/tasks/task-agent-pool.js';
import { quietLog, startTaskLab } from '../../helpers/task-lab.js';
import { waitUntil } from '../../helpers/wait.js';

const agents = [1, 2, 3].map((i) => ({
  guid: `00000000-0000-4000-8000-00000000000${i}`, name: `WS-000${i}`, ip: `127.1.0.${i}`,
}));

interface TaskView {
  counts: Record<string, number>;
  done: boolean;
  statuses: { resourceGuid: string; state: string; exitCode: number | null; output: string }[];
}

t.test('a script task reaches every agent and its statuses come back to the NS', async (t) => {
  const lab = await startTaskLab();
  const pool = new TaskAgentPool({ nsUrl: lab.ns.http, log: quietLog, tickMs: 20 });
  t.teardown(async () => {
    await pool.close();
    await lab.close();
  });
  await pool.start();
  for (const a of agents) pool.add(a);
  await waitUntil(() => pool.counts().connected === 3, 'three agents connected on 50124', 10_000);
  t.equal(lab.ts.registry.connectedCount, 3, 'the TS holds three links');
  t.equal(pool.serverOf(agents[0]!.guid)?.guid, lab.ts.guid, 'the NS named our TS');

  const worked = new Set<string>();
  pool.on('work', (g) => worked.add(g));
  const created = await lab.api<{ id: string; expected: number }>('POST', '/tasks', {
    targets: agents.map((a) => a.guid), script: 'echo hello from the lab\nsleep 50ms\nexit 3',
  });
  t.equal(created.status, 201);
  t.equal(created.json.expected, 3);
  const view = await waitUntil(async () => {
    const r = await lab.api<TaskView>('GET', `/tasks/${created.json.id}`);
    return r.json.done ? r.json : null;
  }, 'every status back at the NS', 10_000);
  t.equal(worked.size, 3, 'every agent was told over 50124 (work waiting)');
  t.equal(view.counts['failed'], 3, 'exit 3 is a failed run');
  t.same(view.statuses.map((s) => [s.exitCode, s.output]), agents.map(() => [3, 'hello from the lab']));

  await waitUntil(async () => (await lab.api<{ taskServers: { clients: number }[] }>('GET', '/task-servers')).json.taskServers[0]?.clients === 3,
    'the TS told the NS its client count');
  const all = await lab.api<{ id: string; expected: number }>('POST', '/tasks', { targets: 'all', type: 'power', action: 'logoff' });
  t.equal(all.json.expected, 3, '"all" expects the clients the TS reported');
  const done = await waitUntil(async () => (await lab.api<TaskView>('GET', `/tasks/${all.json.id}`)).json.done, 'power task done', 10_000);
  t.ok(done);
});

t.test('the 50124 link is lost: the agent polls over HTTP, then reconnects', async (t) => {
  const lab = await startTaskLab({ ns: { tasks: { reconnectMs: 300, pollIntervalMs: 100 } } });
  const pool = new TaskAgentPool({ nsUrl: lab.ns.http, log: quietLog, tickMs: 20 });
  t.teardown(async () => {
    await pool.close();
    await lab.close();
  });
  await pool.start();
  pool.add(agents[0]!);
  await waitUntil(() => pool.counts().connected === 1, 'agent connected', 10_000);
  const down = new Promise((resolve) => pool.once('disconnected', resolve));
  await lab.ts.channel.close();
  await down;
  t.equal(pool.phase(agents[0]!.guid), 'offline');
  await waitUntil(() => lab.ts.registry.connectedCount === 0, 'the TS dropped the link');
});
