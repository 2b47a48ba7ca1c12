// `npm run bench:ts`: the Task Server under load, each part in its own process(es).
//  1. Held 50124 connections in ONE process: a bare node TCP server (the reference) and the TS,
//     as many as the 20,000-descriptor limit leaves room for; memory per held connection and the
//     ratio TS / bare node.
//  2. 100,000 held connections through the product's `smp-lab ts --workers 6` path
//     (createTaskServerCluster: a primary and 6 workers; clients spread over processes and source
//     addresses 127.x.y.z so no process passes 20,000 descriptors).
//  3. Fan-out: a task for 10,000 connected agents (agent/tasks) through NS -> 50123 -> TS -> 50124
//     -> HTTP fetch/run/post -> ReportTaskData; seconds until every status is in the NS store; the
//     part `fanout-workers` runs the same through a TS with 2 workers.
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../shared/log.js';
import { createNotificationServer } from '../server/ns/server.js';

/** The bench NS's console password (its admin API needs credentials). */
const BENCH_CONSOLE_PASSWORD = 'smp-lab-bench';
const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
const FD_LIMIT = 20_000;
const args = new Set(process.argv.slice(2));
const only = (p: string): boolean => args.size === 0 || args.has(p);

interface Mem { rss: number; heapUsed: number; external: number; held: number; fds: number; processes: number }
interface Ready { port: number; http: number; fds: number }

function child(file: string, argv: string[], gc = false): ChildProcess {
  return fork(here(file), argv, { execArgv: gc ? ['--expose-gc'] : [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}
const next = <T>(c: ChildProcess, pred: (m: T) => boolean = () => true, ms = 300_000): Promise<T> => new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('benchmark child did not answer in time')), ms);
  const on = (m: T): void => {
    if (!pred(m)) return;
    clearTimeout(timer);
    c.off('message', on);
    resolve(m);
  };
  c.on('message', on);
  c.once('exit', (code) => reject(new Error(`benchmark child exited (${code})`)));
});
const mem = async (server: ChildProcess): Promise<Mem> => {
  const p = next<Mem>(server, (m) => 'rss' in m);
  server.send({ cmd: 'mem' });
  return p;
};
const stop = (c: ChildProcess): Promise<void> => new Promise((r) => {
  if (c.exitCode !== null) return r();
  c.once('exit', () => r());
  c.send({ cmd: 'stop' }, () => undefined);
  setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
});
const kib = (n: number): string => (n / 1024).toFixed(2);

async function hold(label: string, mode: 'ts' | 'bare', workers: number, total: number | 'fd-limit', clientProcs: number): Promise<{ perConn: number; held: number }> {
  const server = child('./ts-hold-server.js', [mode, String(workers)], true);
  const ready = await next<Ready>(server);
  const target = total === 'fd-limit' ? FD_LIMIT - ready.fds - 8 : total;
  const before = await mem(server);
  const t0 = performance.now();
  const per = Math.ceil(target / clientProcs);
  const clients = Array.from({ length: clientProcs }, (_, i) =>
    child('./ts-hold-clients.js', [String(ready.port), String(Math.min(per, target - i * per)), `127.${10 + i}`, String(i * per), mode === 'bare' ? 'bare' : 'hello']));
  const done = await Promise.all(clients.map((c) => next<{ done?: boolean; connected: number; failed: number }>(c, (m) => m.done === true)));
  const secs = (performance.now() - t0) / 1000;
  const after = await mem(server);
  const held = after.held;
  const perConn = (after.rss - before.rss) / Math.max(1, held);
  console.log(`${label}: ${held} held of ${target} (${done.reduce((n, d) => n + d.failed, 0)} failed) in ${secs.toFixed(1)} s; ` +
    `${after.processes} server process(es), most fds in one ${after.fds}; RSS +${(after.rss - before.rss) / 2 ** 20 | 0} MiB = ` +
    `${kib(perConn)} KiB/connection (${after.processes > 1 ? 'primary\'s heap' : 'heap'} ${kib((after.heapUsed - before.heapUsed) / Math.max(1, held))} KiB)`);
  await Promise.all(clients.map(stop));
  await stop(server);
  return { perConn, held };
}

async function fanout(agents: number, procs: number, tsWorkers = 0): Promise<number> {
  const ns = await createNotificationServer({ httpPort: 0, store: 'memory', seedPolicies: true, logger: createLogger({ level: 'error' }),
    accessLog: { enabled: false }, tasks: { taskServerTtlMs: 600_000 }, console: { password: BENCH_CONSOLE_PASSWORD } });
  const a = await ns.listen();
  const nsUrl = `http://127.0.0.1:${a.http!.port}`;
  const ts = child('./ts-hold-server.js', ['ts', String(tsWorkers), nsUrl, '20000']);
  await next<Ready>(ts);
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const authorization = `Basic ${Buffer.from(`admin:${BENCH_CONSOLE_PASSWORD}`).toString('base64')}`;
    const r = await fetch(`${nsUrl}/Altiris/Console/api${path}`, { method,
      headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return (await r.json()) as T;
  };
  const per = agents / procs;
  const kids = Array.from({ length: procs }, (_, i) => child('./ts-fanout-agents.js', [nsUrl, String(per), `127.${40 + i}`, String(i * per)]));
  const state = kids.map(() => ({ connected: 0, statuses: 0 }));
  kids.forEach((k, i) => k.on('message', (m: { connected: number; statuses: number }) => (state[i] = m)));
  const t0 = performance.now();
  while (state.reduce((n, s) => n + s.connected, 0) < agents) {
    if (performance.now() - t0 > 240_000) throw new Error(`only ${state.reduce((n, s) => n + s.connected, 0)} agents connected`);
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`fan-out: ${agents} agents registered and connected on 50124 in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  while ((await api<{ taskServers: { clients: number }[] }>('GET', '/task-servers')).taskServers[0]?.clients !== agents) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const start = performance.now();
  const task = await api<{ id: string; expected: number }>('POST', '/tasks', { targets: 'all', script: 'echo fan-out\nexit 0' });
  let view = { counts: { completed: 0, failed: 0 } };
  let shown = 0;
  while (view.counts.completed + view.counts.failed < agents) {
    if (performance.now() - start > 120_000) break;
    await new Promise((r) => setTimeout(r, 25));
    view = await api('GET', `/tasks/${task.id}?limit=0`);
    if (args.has('verbose') && performance.now() - start > shown * 1000) {
      shown++;
      console.log(`  ${((performance.now() - start) / 1000).toFixed(1)} s: agents posted ${state.reduce((n, x) => n + x.statuses, 0)}, NS has ${view.counts.completed}`);
    }
  }
  const secs = (performance.now() - start) / 1000;
  console.log(`fan-out (TS ${tsWorkers === 0 ? 'in one process' : `with ${tsWorkers} workers`}): task to ${task.expected} agents: ${view.counts.completed} completed, ${view.counts.failed} failed, ` +
    `every status in the NS store after ${secs.toFixed(2)} s (target <= 10 s)`);
  await Promise.all(kids.map(stop));
  await stop(ts);
  await ns.close();
  return secs;
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`bench:ts on ${process.platform}, node ${process.version}; fd limit per process ${FD_LIMIT}; load average ${load()}`);
if (only('hold')) {
  const bare = await hold('reference (bare node net.Server), 1 process', 'bare', 0, 'fd-limit', 2);
  const one = await hold('task server, 1 process', 'ts', 0, 'fd-limit', 2);
  console.log(`ratio: task server / bare node memory per held connection = ${(one.perConn / bare.perConn).toFixed(2)} ` +
    `(target: <= 6 KiB per connection: ${one.perConn <= 6144 ? 'met' : 'NOT met'})`);
}
if (only('cluster')) {
  const many = await hold('task server, ts --workers 6 (createTaskServerCluster)', 'ts', 6, 100_000, 6);
  console.log(`cluster: ${many.held} held; ${many.perConn <= 6144 ? 'met' : 'NOT met'} <= 6 KiB per connection`);
}
if (only('fanout')) {
  const secs = await fanout(10_000, 2);
  console.log(`fan-out target (<= 10 s): ${secs <= 10 ? 'met' : 'NOT met'} (load average now ${load()})`);
}
if (args.has('fanout-workers')) {
  const secs = await fanout(10_000, 2, 2);
  console.log(`fan-out with 2 TS workers (<= 10 s): ${secs <= 10 ? 'met' : 'NOT met'} (load average now ${load()})`);
}
