// Worker planning against the descriptor limit: the limit is read from the OS, and the fleet is
// spread over more processes only when one process's sockets would not fit; plus the idle-socket
// budget of the fleet's HTTP client, which is what keeps a process's sockets bounded.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { FD_RESERVE, descriptorsNeeded, parseProcLimits, planWorkers, readFdLimit } from '../../../agent/load/fd-limit.js';
import { FleetHttpClient } from '../../../agent/lifecycle/http-client.js';

t.test('the soft limit comes from the OS and matches ulimit -n', async (t) => {
  const l = readFdLimit();
  t.ok(l.soft === null || l.soft > 0);
  if (process.platform === 'linux') t.equal(l.source, '/proc/self/limits');
  const shell = execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  if (shell !== 'unlimited') t.equal(l.soft, Number(shell), 'same figure as ulimit -n in a child shell');
  t.equal(parseProcLimits('Limit  Soft Limit  Hard Limit  Units\nMax open files            20000                20000                files\n'), 20000);
  t.equal(parseProcLimits('Max open files            unlimited            unlimited            files\n'), null);
  t.equal(parseProcLimits('garbage'), null);
});

t.test('planWorkers: one process while it fits, more beyond the limit, explicit counts kept with a warning', async (t) => {
  const limit = { soft: 20_000, source: '/proc/self/limits' as const };
  const b = { agents: 100_000, concurrency: 2000, idleSockets: 1000 };
  t.equal(descriptorsNeeded(100_000, b), 3000 + FD_RESERVE);
  const one = planWorkers(0, b, limit);
  t.equal(one.workers, 1);
  t.match(one.reason, /automatic: \d+ descriptors fit the limit of 20000/);
  // Each agent keeping its own idle connection: 100,000 sockets cannot live in one process.
  const held = planWorkers(0, { ...b, idleSockets: 100_000 }, limit);
  t.equal(held.workers, 6);
  t.ok(held.perProcess <= 20_000);
  t.match(held.reason, /needs 102256 descriptors, above this process's limit of 20000/);
  const forced = planWorkers(2, { ...b, idleSockets: 100_000 }, limit);
  t.equal(forced.workers, 2);
  t.match(forced.warning, /above its limit of 20000/);
  t.equal(planWorkers(8, { ...b, agents: 3 }, limit).workers, 3, 'never more workers than agents');
  t.equal(planWorkers(0, b, { soft: null, source: 'unknown' }).workers, 1);
});

/** An HTTP server on an ephemeral port that answers "ok" and counts the connections it accepted. */
async function countingServer(t: { teardown: (f: () => Promise<void>) => void }): Promise<{ base: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((req, res) => { req.resume(); req.on('end', () => res.end('ok')); });
  server.on('connection', () => { connections += 1; });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return { base: `http://127.0.0.1:${(server.address() as { port: number }).port}`, connections: () => connections };
}

t.test('the HTTP client keeps at most idleSockets connections open between requests', async (t) => {
  const { base, connections } = await countingServer(t);
  const client = new FleetHttpClient({ base, idleSockets: 2 });
  t.teardown(() => client.close());
  // Five agents, each from its own address: each has its own pool, only two stay open afterwards.
  for (let i = 1; i <= 5; i++) t.equal((await client.request('GET', '/', { localAddress: `127.3.0.${i}` })).outcome, 'ok');
  t.equal(client.idleSockets, 2);
  t.equal(connections(), 5);
  // An agent whose socket was kept reuses it; one whose socket was closed connects again.
  await client.request('GET', '/', { localAddress: '127.3.0.1' });
  t.equal(connections(), 5, 'agent 1 reused its kept connection');
  await client.request('GET', '/', { localAddress: '127.3.0.5' });
  t.equal(connections(), 6, 'agent 5 had no idle socket left');
  t.equal(client.idleSockets, 2);
  const none = new FleetHttpClient({ base, idleSockets: 0 });
  await none.request('GET', '/', { localAddress: '127.3.0.9' });
  t.equal(none.idleSockets, 0, 'budget 0: no socket is kept');
  none.close();
});

t.test('a follow-up request keeps its socket past a spent budget: a registration is one connection', async (t) => {
  const { base, connections } = await countingServer(t);
  const client = new FleetHttpClient({ base, idleSockets: 0 });
  t.teardown(() => client.close());
  // Budget 0: a plain request never keeps its socket; a sequence marked as follow-ups keeps it to the end.
  const from = { localAddress: '127.3.1.1' };
  await client.request('POST', '/CreateResource.aspx', { ...from, body: '<x/>', followUp: true });
  t.equal(client.idleSockets, 1, 'kept over the budget for the next step');
  await client.request('POST', '/PostEvent.aspx', { ...from, body: '<x/>', followUp: true });
  await client.request('POST', '/GetClientPolicies.aspx', { ...from, body: '<x/>' });
  t.equal(connections(), 1, 'three steps on one connection');
  t.equal(client.idleSockets, 0, 'the last step closes it: the budget holds again');
  await client.request('GET', '/', from);
  t.equal(connections(), 2, 'the next check-in connects anew');
});
