// Benchmark child: a Task Server (or, as the reference, a bare node TCP server) that holds 50124
// connections, in one process or through the product's `ts --workers N` path (createTaskServerCluster).
// Answers {cmd:'mem'} over IPC with its memory (one process: after a full GC; with workers: the RSS
// of the primary and every worker from /proc). Never part of npm test.
import cluster from 'node:cluster';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { createLogger } from '../shared/log.js';
import { createTaskServer } from '../server/ts/task-server.js';
import { createTaskServerCluster } from '../server/ts/cluster-primary.js';

const [mode = 'ts', workersArg = '0', nsUrl = 'http://127.0.0.1:1', maxClientsArg = '200000'] = process.argv.slice(2);
const workers = Number(workersArg);
const gc = (globalThis as { gc?: () => void }).gc;

interface Mem { rss: number; heapUsed: number; external: number; held: number; fds: number; processes: number }

const fds = (pid: number | 'self' = 'self'): number => readdirSync(`/proc/${pid}/fd`).length;
const rssOf = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const send = (m: unknown): void => void process.send?.(m);

async function startOne(): Promise<{ port: number; http: number; held: () => number }> {
  if (mode === 'bare') {
    const sockets = new Set<Socket>();
    const server = createServer((s) => {
      sockets.add(s);
      s.on('data', noop);
      s.on('error', noop);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));
    const a = server.address();
    return { port: typeof a === 'object' && a ? a.port : 0, http: 0, held: () => sockets.size };
  }
  const ts = createTaskServer(tsOptions);
  const a = await ts.listen();
  return { port: a.channel.port, http: a.http.port, held: () => ts.registry.connectedCount };
}

function noop(): void {
  // bench peers' bytes are read and dropped
}

function memory(held: number): Mem {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, held, fds: fds(), processes: 1 };
}

const tsOptions = {
  nsUrl, httpPort: 0, channelPort: 0, remotingPorts: [0, 0] as [number, number], bind: '127.0.0.1', maxClients: Number(maxClientsArg),
  maxPendingHellos: 25_000, keepAliveMs: 60_000, helloTimeoutMs: 120_000, nsRetryMs: 2_000, reportBatch: 1000, reportIntervalMs: 50,
  logger: createLogger({ level: 'error', name: 'ts-bench' }), name: 'ts-bench.lab.local',
};

if (workers > 0 && mode === 'ts') {
  // The product path of `smp-lab ts --workers N`: primary + N workers sharing 50124.
  const ts = createTaskServerCluster({ ...tsOptions, workers, workerLog: { level: 'error' } });
  const a = await ts.listen();
  send({ ready: true, port: a.channel.port, http: a.http.port, fds: fds() });
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd !== 'mem') return void ts.close().then(() => process.exit(0));
    gc?.();
    const pids = Object.values(cluster.workers ?? {}).map((w) => w?.process.pid).filter((p): p is number => p !== undefined);
    const own = process.memoryUsage();
    send({
      rss: rssOf(process.pid) + pids.reduce((n, p) => n + rssOf(p), 0), heapUsed: own.heapUsed, external: own.external,
      held: ts.core.registry.connectedCount, fds: Math.max(fds(), ...pids.map((p) => fds(p))), processes: pids.length + 1,
    } satisfies Mem);
  });
  process.on('disconnect', () => void ts.close().then(() => process.exit(0)));
} else {
  const s = await startOne();
  send({ ready: true, port: s.port, http: s.http, fds: fds() });
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'mem') send(memory(s.held()));
    else process.exit(0);
  });
  process.on('disconnect', () => process.exit(0));
}
