// Fleet-scale benchmarks of `smp-lab agents`, black-box: the real CLI against a real `smp-lab ns
// --store memory`, each in its own processes, observed through the fleet's Prometheus endpoint and
// /proc. `fleet`: 100,000 agents (BENCH_FLEET) registered and checking in on accelerated intervals;
// registrations/s, check-ins/s, errors, RSS per agent above a small-fleet baseline of the same run.
// `regrate`: one process with --reg-rate 1000. Reference: autocannon's CreateResource rate, same NS, same run.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { FleetIdentities } from '../agent/fleet/identity.js';
import { KeyPool } from '../agent/lifecycle/key-pool.js';
import { createResourceBody } from '../agent/lifecycle/messages.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const env = (k: string, d: number): number => (process.env[k] !== undefined ? Number(process.env[k]) : d);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

interface Proc { child: ChildProcess; out: () => string; line: (re: RegExp, ms: number) => Promise<string>; stop: () => Promise<number | null> }

function cli(args: string[]): Proc {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return {
    child, out: () => out,
    async line(re, ms) {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const m = re.exec(out);
        if (m) return m[0];
        if (child.exitCode !== null) break;
        await sleep(50);
      }
      throw new Error(`no ${re} from smp-lab ${args[0]}:\n${out}`);
    },
    async stop() { child.kill('SIGINT'); return exited; },
  };
}

/** Resident memory (bytes) and CPU seconds of a process and all its descendants, from /proc. */
function treeRss(pid: number): number {
  return tree(pid).rss;
}

function tree(pid: number): { rss: number; cpuS: number } {
  let rss = 0;
  let cpuS = 0;
  const kids = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(d)]);
    } catch { /* gone */ }
  }
  const walk = (p: number): void => {
    try {
      rss += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) * 1024;
      const st = readFileSync(`/proc/${p}/stat`, 'utf8').slice(readFileSync(`/proc/${p}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ');
      cpuS += (Number(st[11]) + Number(st[12])) / 100; // utime + stime, USER_HZ 100
    } catch { /* gone */ }
    for (const k of kids.get(p) ?? []) walk(k);
  };
  walk(pid);
  return { rss, cpuS };
}

type Metrics = Map<string, number>;
async function scrape(port: number): Promise<Metrics> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m: Metrics = new Map();
  for (const l of text.split('\n')) {
    const x = /^(smp_agent_(?:requests_total|agents)\{[^}]*\}) (\S+)$/.exec(l);
    if (x) m.set(x[1]!, (m.get(x[1]!) ?? 0) + Number(x[2]));
  }
  return m;
}
const get = (m: Metrics, k: string): number => m.get(k) ?? 0;
const sum = (m: Metrics, re: RegExp): number => [...m].filter(([k]) => re.test(k)).reduce((a, [, v]) => a + v, 0);
const checkedIn = (m: Metrics) => get(m, 'smp_agent_agents{state="checked-in"}');
const regs = (m: Metrics) => get(m, 'smp_agent_requests_total{endpoint="create-resource",outcome="ok"}');
const polls = (m: Metrics) => get(m, 'smp_agent_requests_total{endpoint="get-client-policies",outcome="ok"}');
const errors = (m: Metrics) => sum(m, /requests_total\{.*outcome="(?!ok)/);
/** Failed requests by endpoint and outcome, e.g. `create-resource timeout`. */
const errorKinds = (m: Metrics): Record<string, number> => Object.fromEntries([...m]
  .map(([k, v]) => [/endpoint="([^"]+)",outcome="((?!ok")[^"]+)"/.exec(k), v] as const)
  .filter(([x]) => x !== null && x[0].includes('outcome'))
  .map(([x, v]) => [`${x![1]} ${x![2]}`, v]));

async function startNs(work: string): Promise<{ url: string; proc: Proc }> {
  const port = await freePort();
  const proc = cli(['ns', '--store', 'memory', '--no-https', '--port', `ns-agent-http=${port}`, '--data', join(work, 'ns'), '--log-level', 'warn']);
  await proc.line(/ns ready/, 30_000);
  return { url: `http://127.0.0.1:${port}`, proc };
}

/** Reference agents are numbered past any fleet so their computer names never collide with the fleet's. */
const REFERENCE_BASE = 2_000_000;

/** autocannon's CreateResource rate against the NS (distinct agents of another seed): the reference. */
async function referenceRegistrations(url: string, work: string, connections: number, seconds: number): Promise<number> {
  const ids = new FleetIdentities({ seed: `reference-${Date.now()}`, ipBase: '127.200.0.1' });
  const keys = await KeyPool.open('reference', 2, join(work, 'ref-keys'));
  let i = 0;
  const r = await autocannon({ url, connections, duration: seconds, requests: [{ method: 'POST', path: '/Altiris/NS/Agent/CreateResource.aspx',
    setupRequest: (req) => ({ ...req, body: createResourceBody(ids.identity(REFERENCE_BASE + i), keys.key(i++).policyKey), headers: { 'content-type': 'application/xml' } }) }] });
  return r.non2xx || r.errors ? NaN : r.requests.average;
}

function agentsArgs(url: string, work: string, over: string[]): string[] {
  return ['agents', '--ns', url, '--no-listen', '--no-delivery', '--progress', 'none', '--log-level', 'warn', '--state-dir', join(work, 'state'), '--key-pool', '8',
    '--report-dir', join(work, 'reports'), '--metrics-port', '0', ...over];
}

async function untilMetrics(port: number, done: (m: Metrics) => boolean, ms: number): Promise<Metrics> {
  const end = Date.now() + ms;
  let m = await scrape(port);
  while (!done(m) && Date.now() < end) { await sleep(500); m = await scrape(port); }
  return m;
}

const metricsPortOf = async (p: Proc): Promise<number> => Number(/metrics http:\/\/127\.0\.0\.1:(\d+)/.exec(await p.line(/metrics http:\/\/127\.0\.0\.1:\d+/, 120_000))![0].split(':').pop());

export async function fleet(): Promise<object> {
  const n = env('BENCH_FLEET', 100_000);
  const workers = env('BENCH_WORKERS', 0);
  const intervalS = env('BENCH_INTERVAL_S', 300);
  const steadyS = env('BENCH_STEADY_S', 60);
  const work = mkdtempSync(join(tmpdir(), 'smp-bench-scale-'));
  const ns = await startNs(work);
  try {
    const refRps = await referenceRegistrations(ns.url, work, 64, 10);
    // Baseline: the same command and process layout with a small fleet, in the same run.
    const small = Math.max(10, (workers || 1) * 10);
    const seed = `bench-${Date.now()}`; // one seed: the baseline's agents are the first of the big fleet (same names, same keys)
    const heap = process.env['BENCH_HEAP'] ?? 'lean';
    const concurrency = env('BENCH_CONCURRENCY', 2000);
    const common = ['--workers', String(workers), '--interval', '1h', '--accelerate', String(3600 / intervalS), '--concurrency', String(concurrency), '--heap', heap];
    const b = cli(agentsArgs(ns.url, work, ['--count', String(small), '--seed', seed, ...common]));
    const bPort = await metricsPortOf(b);
    await untilMetrics(bPort, (m) => checkedIn(m) >= small, 120_000);
    await sleep(3000);
    const baseRss = treeRss(b.child.pid!);
    await b.stop();
    const p = cli(agentsArgs(ns.url, work, ['--count', String(n), '--seed', seed, ...common]));
    const ready = await p.line(/agents ready:[^\n]*/, 120_000);
    const port = await metricsPortOf(p);
    const t0 = Date.now();
    const reg = await untilMetrics(port, (m) => checkedIn(m) >= n, 3_600_000);
    const regS = (Date.now() - t0) / 1000;
    let rssMaxWait = 0;
    // Check-ins are measured once they are due: the first agents check in again one interval
    // (plus jitter) after their first check-in, so a fast registration leaves nothing due before that.
    const dueFrom = t0 + intervalS * 1100;
    while (Date.now() < dueFrom) { rssMaxWait = Math.max(rssMaxWait, treeRss(p.child.pid!)); await sleep(2000); }
    const before = await scrape(port);
    const t1 = Date.now();
    let rssMax = rssMaxWait;
    while (Date.now() - t1 < steadyS * 1000) { rssMax = Math.max(rssMax, treeRss(p.child.pid!)); await sleep(2000); }
    const after = await scrape(port);
    const steady = (Date.now() - t1) / 1000;
    const rss = treeRss(p.child.pid!);
    const cpuS = tree(p.child.pid!).cpuS;
    const requests = sum(after, /requests_total/);
    const code = await p.stop();
    if (code !== 0) console.error(p.out().slice(-2000));
    const perAgent = (rss - baseRss) / (n - small);
    return { scenario: 'fleet', agents: n, ready: ready.replace(/^.*?; (\d+ (?:process|worker processes) \([^)]*\)).*$/, '$1'), exitCode: code,
      allCheckedIn: checkedIn(reg) >= n, registerSeconds: +regS.toFixed(1), registrationsPerSecond: Math.round(regs(reg) / regS),
      referenceCreateResourcePerSecond: Math.round(refRps), ratioToReference: +(regs(reg) / regS / refRps).toFixed(3),
      intervalSeconds: intervalS, checkinsPerSecond: Math.round((polls(after) - polls(before)) / steady), expectedCheckinsPerSecond: Math.round(n / intervalS),
      errors: errors(after), heap, concurrency, simulatorCpuUsPerRequest: Math.round((cpuS * 1e6) / requests), rssMiB: Math.round(rss / 2 ** 20), rssMaxMiB: Math.round(rssMax / 2 ** 20), baselineMiB: Math.round(baseRss / 2 ** 20),
      bytesPerAgent: Math.round(perAgent), target: '<= 2048 B/agent', pass: checkedIn(reg) >= n && perAgent <= 2048 };
  } finally {
    await ns.proc.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** One `smp-lab agents` process registering `n` new agents under `--reg-rate cap` with the given heap mode. */
async function registerFleet(url: string, work: string, n: number, cap: number, heap: string): Promise<Record<string, unknown>> {
  const p = cli(agentsArgs(url, work, ['--count', String(n), '--seed', `regrate-${heap}-${Date.now()}`, '--workers', '1', '--reg-rate', String(cap),
    '--interval', '24h', '--heap', heap]));
  const port = await metricsPortOf(p);
  const t0 = Date.now();
  // Registrations over time: the whole run, and its steady middle (10% to 90% registered), which
  // leaves out process start-up and the last stragglers.
  const seen: Array<[number, number]> = [];
  const m = await untilMetrics(port, (x) => {
    seen.push([Date.now(), regs(x)]);
    return regs(x) >= n;
  }, 600_000);
  const s = (Date.now() - t0) / 1000;
  const cpuS = tree(p.child.pid!).cpuS;
  const requests = sum(m, /requests_total/);
  await p.stop();
  const at = (f: number) => seen.find(([, r]) => r >= f * n) ?? seen[seen.length - 1]!;
  const [ta, ra] = at(0.1);
  const [tb, rb] = at(0.9);
  const rate = regs(m) / s;
  const steady = tb > ta ? (rb - ra) / ((tb - ta) / 1000) : NaN;
  return { heap, registrationsPerSecond: Math.round(rate), steadyRegistrationsPerSecond: Math.round(steady),
    ratioToCap: +(rate / cap).toFixed(3), steadyRatioToCap: +(steady / cap).toFixed(3), errors: errors(m), errorsByKind: errorKinds(m),
    timeline: seen.filter((_x, i) => i % 4 === 0).map(([t, r]) => `${((t - t0) / 1000).toFixed(0)}s:${r}`).join(' '),
    requestsPerRegistration: +(requests / regs(m)).toFixed(2), simulatorCpuUsPerRegistration: Math.round((cpuS * 1e6) / regs(m)) };
}

export async function regrate(): Promise<object> {
  const n = env('BENCH_REG_AGENTS', 20_000);
  const cap = env('BENCH_REG_RATE', 1000);
  const heaps = (process.env['BENCH_HEAPS'] ?? 'auto,fast').split(',');
  const work = mkdtempSync(join(tmpdir(), 'smp-bench-regrate-'));
  const ns = await startNs(work);
  try {
    const refRps = await referenceRegistrations(ns.url, work, 64, 10);
    const runs = [];
    for (const heap of heaps) {
      const r = await registerFleet(ns.url, work, n, cap, heap);
      const steady = r['steadyRegistrationsPerSecond'] as number;
      runs.push({ ...r, ratioToReference: +((r['registrationsPerSecond'] as number) / refRps).toFixed(3),
        bottleneck: steady >= 0.95 * cap ? 'none (cap reached)' : steady >= 0.8 * refRps ? 'the NS (the simulator keeps up with what the NS serves)' : 'the simulator' });
    }
    return { scenario: 'regrate', agents: n, cap, referenceCreateResourcePerSecond: Math.round(refRps), runs };
  } finally {
    await ns.proc.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
