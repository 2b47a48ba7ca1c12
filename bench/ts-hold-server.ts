// Benchmark child: a Task Server (or, as the reference, a bare node TCP server) that holds 50124
// connections, alone or as node:cluster workers sharing the ports. Answers {cmd:'mem'} over IPC
// with its memory after a full GC (workers' figures summed by the primary). Never part of npm test.
import cluster from 'node:cluster';
import { readdirSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { createLogger } from '../shared/log.js';
import { createTaskServer } from '../server/ts/task-server.js';

const [mode = 'ts', workersArg = '0', nsUrl = 'http://127.0.0.1:1', maxClientsArg = '200000'] = process.argv.slice(2);
const workers = Number(workersArg);
const gc = (globalThis as { gc?: () => void }).gc;

interface Mem { rss: number; heapUsed: number; external: number; held: number; fds: number; processes: number }

const fds = (): number => readdirSync('/proc/self/fd').length;
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
  const ts = createTaskServer({
    nsUrl, httpPort: 0, channelPort: 0, remotingPorts: [0, 0], bind: '127.0.0.1', maxClients: Number(maxClientsArg),
    maxPendingHellos: 25_000, keepAliveMs: 60_000, helloTimeoutMs: 120_000, nsRetryMs: 2_000, reportBatch: 1000, reportIntervalMs: 50,
    logger: createLogger({ level: 'error', name: 'ts-bench' }), name: 'ts-bench.lab.local',
  });
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

if (workers > 0 && cluster.isPrimary) {
  cluster.setupPrimary({ execArgv: process.execArgv });
  cluster.schedulingPolicy = cluster.SCHED_RR;
  const ws = Array.from({ length: workers }, () => cluster.fork());
  const ready = await Promise.all(ws.map((w) => new Promise<{ port: number; http: number }>((r) => w.once('message', r))));
  send({ ready: true, ...ready[0], fds: fds() });
  process.on('message', async (m: { cmd: string }) => {
    if (m.cmd !== 'mem') return process.exit(0);
    const parts = await Promise.all(ws.map((w) => new Promise<Mem>((r) => {
      w.once('message', r);
      w.send({ cmd: 'mem' });
    })));
    const own = memory(0);
    send(parts.reduce((acc, p) => ({ rss: acc.rss + p.rss, heapUsed: acc.heapUsed + p.heapUsed, external: acc.external + p.external,
      held: acc.held + p.held, fds: Math.max(acc.fds, p.fds), processes: acc.processes + 1 }), own));
  });
} else {
  const s = await startOne();
  send({ ready: true, port: s.port, http: s.http, fds: fds() });
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'mem') send(memory(s.held()));
    else process.exit(0);
  });
  process.on('disconnect', () => process.exit(0));
}
