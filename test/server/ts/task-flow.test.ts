// End to end over real sockets: agents ask the NS for task servers, register with the TS, hold a
// 50124 link, are told of a new task, fetch it, run it and post status; the NS API shows it.
import t from 'tap';
import { createServer, type AddressInfo } from 'node:net';
import { TaskAgentPool } from '../../../agent/tasks/task-agent-pool.js';
import { createTaskServer, type TaskServer } from '../../../server/ts/task-server.js';
import { freePorts } from '../../helpers/free-port.js';
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

t.test('link lost: the agent polls over HTTP while 50124 is unreachable, then reconnects', async (t) => {
  const [http, channel, other] = await freePorts(3);
  const tsOpts = { httpPort: http!, channelPort: channel!, guid: '33333333-0000-4000-8000-000000000001' };
  const lab = await startTaskLab({ ns: { tasks: { reconnectMs: 150, pollIntervalMs: 100 } }, ts: tsOpts });
  const pool = new TaskAgentPool({ nsUrl: lab.ns.http, log: quietLog, tickMs: 20 });
  let ts: TaskServer = lab.ts;
  t.teardown(async () => {
    await pool.close();
    await ts.close();
    await lab.ns.close();
  });
  await pool.start();
  const agent = agents[0]!;
  pool.add(agent);
  await waitUntil(() => pool.counts().connected === 1, 'agent connected', 10_000);

  const down = new Promise((resolve) => pool.once('disconnected', resolve));
  await ts.close();
  await down;
  // The TS comes back with its pages on the same port but its 50124 elsewhere: the agent's saved
  // channel port refuses, so it must fall back to polling GetTasks over HTTP.
  const start = (channelPort: number): Promise<TaskServer> => {
    const next = createTaskServer({ nsUrl: lab.ns.http, remotingPorts: [0, 0], bind: '127.0.0.1', logger: quietLog,
      nsRetryMs: 100, reportIntervalMs: 20, ...tsOpts, channelPort });
    return next.listen().then(() => next);
  };
  ts = await start(other!);
  let polls = 0;
  pool.on('polled', () => polls++);
  await waitUntil(() => ts.nsLinkUp(), 'the new TS linked to the NS', 10_000);
  await waitUntil(() => ts.registry.get(agent.guid), 'the agent registered again over HTTP', 10_000);
  const created = await lab.api<{ id: string }>('POST', '/tasks', { targets: [agent.guid], script: 'echo polled' });
  await waitUntil(async () => (await lab.api<TaskView>('GET', `/tasks/${created.json.id}`)).json.done, 'status through polling', 10_000);
  t.equal(pool.phase(agent.guid), 'offline', 'the link never came back meanwhile');
  t.ok(polls > 0, 'the agent polled over HTTP');

  // Now 50124 is back on the saved port: the agent reconnects after reconnectMs.
  await ts.close();
  ts = await start(channel!);
  await waitUntil(() => pool.phase(agent.guid) === 'connected', 'agent reconnected on 50124', 10_000);
  t.equal(ts.registry.connectedCount, 1);
});

t.test('the NS cannot bind its tickle port: it still serves, and the TS fetches work when it re-registers', async (t) => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const taken = (blocker.address() as AddressInfo).port;
  const lab = await startTaskLab({ ns: { tasks: { ticklePort: taken } }, waitLink: false });
  const pool = new TaskAgentPool({ nsUrl: lab.ns.http, log: quietLog, tickMs: 20 });
  t.teardown(async () => {
    await pool.close();
    await lab.close();
    blocker.close();
  });
  await pool.start();
  pool.add(agents[2]!);
  await waitUntil(() => pool.counts().connected === 1, 'agent connected', 10_000);
  t.notOk(lab.ts.nsLinkUp(), 'no tickle link');
  const created = await lab.api<{ id: string }>('POST', '/tasks', { targets: [agents[2]!.guid], script: 'echo late' });
  await waitUntil(async () => (await lab.api<TaskView>('GET', `/tasks/${created.json.id}`)).json.done, 'status without a tickle server', 15_000);
});
