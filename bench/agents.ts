// Agent-fleet benchmarks (npm run bench:agents [scenario...]): the NS runs in its own process
// (bench/ns-target.ts), the fleet in this one. Scenarios: tickle (10,000 agents tickled over TCP, all
// checked in again), wake (multicast wake reaching 100,000 sleeping agents), open (open model vs
// autocannon against GetClientPolicies, same connection count), fleet (100,000 agents registered and
// checking in through the real CLI; resident memory per agent) and regrate (--reg-rate 1000 from one
// process), both in agents-scale.ts. Prints one JSON line per scenario with the figures.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startFleet, type FleetRunOptions, type RunningFleet } from '../agent/load/runner.js';
import { TICKLE_MULTICAST_GROUP } from '../shared/catalog.js';
import { Command } from '../shared/protocol/tickle.js';
import { sendTickles } from '../server/ns/tickle/tcp-sender.js';
import { sendMulticastTickle } from '../server/ns/tickle/udp-sender.js';
import { clientPoliciesBody } from '../agent/lifecycle/messages.js';
import { fleet, regrate } from './agents-scale.js';

const work = mkdtempSync(join(tmpdir(), 'smp-bench-agents-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startNs(): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [new URL('./ns-target.js', import.meta.url).pathname, 'ns', join(work, `ns-${Date.now()}`)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => { buf += d.toString(); const i = buf.indexOf('\n'); if (i >= 0) resolve(buf.slice(0, i)); });
    child.on('exit', () => reject(new Error('ns target exited')));
  });
  const { port } = JSON.parse(line) as { port: number };
  return { url: `http://127.0.0.1:${port}`, child, stop: () => new Promise((r) => { child.on('exit', () => r()); child.stdin.end(); }) };
}

const opts = (ns: string, over: Partial<FleetRunOptions>): FleetRunOptions => ({
  ns, seed: `bench-${Date.now()}`, count: 1000, ipBase: '127.1.0.1', shard: { index: 0, count: 1 }, trustedServer: 'BENCH-NS',
  tickleHost: '0.0.0.0', ticklePort: 0, wakePort: 0, wakeGroup: TICKLE_MULTICAST_GROUP, interfaceAddress: '127.0.0.1',
  stateDir: join(work, 'state'), keyPool: 8, accelerate: 1, jitter: 0.1, rampMs: 0, concurrency: 1000, sourceAddress: true, install: false,
  delivery: false, asleep: 0, requestTimeoutMs: 60_000, intervalMs: 24 * 3_600_000, ...over,
});

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) { if (check()) return true; await sleep(5); }
  return check();
}

async function registered(f: RunningFleet, n: number, ms: number): Promise<number> {
  const t0 = performance.now();
  await until(() => f.engine.states()['checked-in'] >= n, ms);
  return (performance.now() - t0) / 1000;
}

async function tickle(): Promise<object> {
  const n = 10_000;
  const ns = await startNs();
  const f = await startFleet(opts(ns.url, { count: n }));
  const regS = await registered(f, n, 600_000);
  const before = Array.from(f.engine.checkins);
  const t0 = performance.now();
  const sent = await sendTickles(Array.from({ length: n }, (_, i) => ({ ip: f.ids.ip(i) })),
    { serverName: 'BENCH-NS', commands: Command.REQUEST_CONFIGURATION, port: f.ticklePort! }, 1000);
  const all = await until(() => before.every((c, k) => f.engine.checkins[k]! > c), 30_000);
  const s = (performance.now() - t0) / 1000;
  await f.stop();
  await ns.stop();
  return { scenario: 'tickle', agents: n, registerSeconds: +regS.toFixed(1), tickleSendSeconds: +(sent.ms / 1000).toFixed(2), delivered: sent.outcomes.delivered,
    allCheckedInAgainSeconds: all ? +s.toFixed(2) : null, target: '<= 5 s', pass: all && s <= 5 };
}

async function wake(): Promise<object> {
  const n = 100_000;
  // Agents start asleep and the NS URL points at a closed port: the figure is the wake reaching them.
  const f = await startFleet(opts('http://127.0.0.1:9', { count: n, asleep: 1, concurrency: 50 }));
  const macs = Array.from({ length: n }, (_, i) => f.ids.mac(i));
  const t0 = performance.now();
  const datagrams = await sendMulticastTickle({ ips: [], guids: [], macs }, {
    address: TICKLE_MULTICAST_GROUP, port: f.wakePort!, serverName: 'BENCH-NS', commands: Command.WAKE, perDatagram: 5000 });
  const all = await until(() => f.inbound.acted.multicast >= n, 10_000);
  const s = (performance.now() - t0) / 1000;
  const reached = f.inbound.acted.multicast;
  await f.stop();
  return { scenario: 'wake', agents: n, datagrams, reached, seconds: +s.toFixed(3), target: '<= 2 s', pass: all && s <= 2 };
}

async function open(): Promise<object> {
  const conns = 64;
  const seconds = 10;
  const ns = await startNs();
  const f = await startFleet(opts(ns.url, { count: conns }));
  await registered(f, conns, 60_000);
  await f.stop();
  const bodies = Array.from({ length: conns }, (_, i) => clientPoliciesBody(f.ids.guid(i), null));
  let i = 0;
  const ac = await autocannon({ url: ns.url, connections: conns, duration: seconds, requests: [{ method: 'POST', path: '/Altiris/NS/Agent/GetClientPolicies.aspx',
    setupRequest: (r) => ({ ...r, body: bodies[i++ % conns], headers: { 'content-type': 'application/xml' } }) }] });
  const acRps = ac.requests.average;
  const g = await startFleet({ ...opts(ns.url, { count: conns, rate: acRps * 1.5 }), seed: f.ids.seed });
  await sleep(seconds * 1000);
  const stats = await g.stop();
  const pol = stats.count('get-client-policies', 'ok');
  const rps = pol / ((stats.endedAt - stats.startedAt) / 1000);
  await ns.stop();
  return { scenario: 'open', connections: conns, autocannonRps: Math.round(acRps), openModelRps: Math.round(rps), ratio: +(rps / acRps).toFixed(3), target: '>= 0.9', pass: rps / acRps >= 0.9 };
}

const SCENARIOS: Record<string, () => Promise<object>> = { wake, tickle, open, fleet, regrate };
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : ['wake', 'tickle', 'open', 'fleet'];
try {
  for (const name of chosen) {
    const run = SCENARIOS[name];
    if (!run) throw new Error(`unknown scenario ${name}; one of ${Object.keys(SCENARIOS).join(', ')}`);
    console.log(JSON.stringify(await run()));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(0);
