// Agents on routable addresses (npm run bench:ipbase; root, Linux): N agents (10,000 by default) on
// 10.62.0.0/16 in one network namespace, the NS in another behind a router; the NS tickles each one over
// TCP, and the figure is the time until all checked in again (target <= 10 s). The reference, in the
// same run: the same fleet on 127.1.0.1 with the NS on loopback. Resident memory per agent on both
// (target: the same), from a large fleet against a small one of the same layout. Prints one JSON line.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetIdentities } from '../agent/fleet/identity.js';
import { startSmpLab } from '../test/helpers/cli.js';
import {
  adminApi, AGENT_BASE, createIpBaseLab, fetchIn, inNs, makeAgentsLocal, type IpBaseLab,
} from '../test/helpers/ipbase-lab.js';

const N = Number(process.env['BENCH_AGENTS'] ?? 10_000);
const SMALL = 100;
// The lean heap keeps resident memory close to what is live (docs/agents.md "Memory"), so the per-agent
// figure compares the agents rather than V8's high-water mark after a burst; BENCH_HEAP=fast to compare that.
const HEAP = process.env['BENCH_HEAP'] ?? 'lean';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Mode = 'loopback' | 'routable';
const POLICIES_OK = /^smp_agent_requests_total\{(?=[^}]*endpoint="get-client-policies")(?=[^}]*outcome="ok")[^}]*\} (\d+)/m;
type Proc = ReturnType<typeof startSmpLab>;

interface Placement {
  readonly nsNamespace: string;
  readonly nsBind: string;
  readonly nsUrl: string;
  readonly ipBase: string;
}

function placement(lab: IpBaseLab, mode: Mode): Placement {
  return mode === 'routable'
    ? { nsNamespace: lab.server, nsBind: lab.nsAddress, nsUrl: lab.nsUrl, ipBase: AGENT_BASE }
    : { nsNamespace: lab.agent, nsBind: '127.0.0.1', nsUrl: 'http://127.0.0.1', ipBase: '127.1.0.1' };
}

/** The admin API of whichever NS the mode runs (the loopback NS lives in the agents' namespace). */
function api<T>(lab: IpBaseLab, p: Placement, method: string, path: string, body?: unknown) {
  return adminApi<T>({ ...lab, server: p.nsNamespace, nsUrl: p.nsUrl }, method, path, body);
}

const rssOf = (pid: number): number =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/** The agents' counters, or zeros while a busy simulator does not answer (an exited one is an error). */
interface Counts { checkedIn: number; policiesOk: number }

async function metrics(lab: IpBaseLab, a: { proc: Proc; port: number }): Promise<Counts> {
  let text = '';
  try {
    text = (await fetchIn(lab.agent, `http://127.0.0.1:${a.port}/metrics`)).text;
  } catch (err) {
    if (a.proc.child.exitCode !== null) {
      const { stdout, stderr } = a.proc.output();
      throw new Error(`smp-lab agents exited (${String(a.proc.child.exitCode)})\n${stdout}\n${stderr}`, { cause: err });
    }
    console.error(`metrics not read this time: ${String(err).split('\n').at(-1) ?? ''}`);
  }
  const num = (re: RegExp): number => Number(re.exec(text)?.[1] ?? 0);
  return {
    checkedIn: num(/^smp_agent_agents\{state="checked-in"\} (\d+)/m),
    policiesOk: num(POLICIES_OK),
  };
}

async function startAgents(lab: IpBaseLab, p: Placement, work: string, count: number, seed: string)
  : Promise<{ proc: Proc; port: number }> {
  const proc = startSmpLab(['agents', '--ip-base', p.ipBase, '--count', String(count), '--seed', seed, '--ns', p.nsUrl,
    '--no-delivery', '--heap', HEAP, '--progress', 'none', '--metrics-port', '0', '--key-pool', '4',
    '--state-dir', join(work, 'state'), '--report-dir', join(work, `reports-${seed}-${count}`)],
  { prefix: inNs(lab.agent) });
  const m = await proc.line(/metrics http:\/\/127\.0\.0\.1:(\d+)/, 120_000);
  return { proc, port: Number(m[1]) };
}

async function until(check: () => Promise<boolean>, ms: number, every: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(every);
  }
  return check();
}

/** Registers the fleet, measures its memory against a small one, tickles all through the NS, times the check-ins. */
async function runMode(lab: IpBaseLab, mode: Mode, work: string): Promise<Record<string, number | boolean | null>> {
  const p = placement(lab, mode);
  const ns = startSmpLab(['ns', '--bind', p.nsBind, '--store', 'memory', '--no-https', '--log-level', 'warn',
    '--data', join(work, `ns-${mode}`)], { prefix: inNs(p.nsNamespace) });
  try {
    await ns.line(/ns ready/, 60_000);
    const seed = `bench-ipbase-${mode}-${Date.now()}`;
    const small = await startAgents(lab, p, work, SMALL, seed);
    await until(async () => (await metrics(lab, small)).checkedIn >= SMALL, 300_000, 1000);
    await sleep(3000);
    const baseRss = rssOf(small.proc.child.pid!);
    await small.proc.stop();
    const big = await startAgents(lab, p, work, N, seed);
    const r0 = Date.now();
    await until(async () => (await metrics(lab, big)).checkedIn >= N, 1_800_000, 2000);
    const registerSeconds = (Date.now() - r0) / 1000;
    await sleep(3000);
    const rss = rssOf(big.proc.child.pid!);
    const ids = new FleetIdentities({ seed, ipBase: p.ipBase });
    let before = 0;
    await until(async () => (before = (await metrics(lab, big)).policiesOk) > 0, 60_000, 500); // a read that answered
    const t0 = Date.now();
    const sent = api<{ tcp?: { outcomes: Record<string, number>; ms: number } }>(lab, p, 'POST', '/tickle',
      { ips: Array.from({ length: N }, (_, i) => ids.ip(i)) });
    const all = await until(async () => (await metrics(lab, big)).policiesOk - before >= N, 120_000, 200);
    const seconds = (Date.now() - t0) / 1000;
    const answer = (await sent).json.tcp;
    const seen = await api<{ resources: Array<{ lastSeenAt: number | null }> }>(lab, p, 'GET', `/resources?limit=${N}`);
    const checkedInAgain = seen.json.resources.filter((r) => (r.lastSeenAt ?? 0) >= t0).length;
    await big.proc.stop();
    return {
      registerSeconds: +registerSeconds.toFixed(1), tickleDelivered: answer?.outcomes['delivered'] ?? 0,
      tickleSendSeconds: +((answer?.ms ?? 0) / 1000).toFixed(2), allCheckedInAgain: all, checkedInAgainAtNs: checkedInAgain,
      allCheckedInAgainSeconds: all ? +seconds.toFixed(2) : null, rssMiB: Math.round(rss / 2 ** 20),
      bytesPerAgent: Math.round((rss - baseRss) / (N - SMALL)),
    };
  } finally {
    await ns.stop();
  }
}

if (process.getuid?.() !== 0) {
  console.error('bench:ipbase needs root (it makes network namespaces); run it as root on Linux');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'smp-bench-ipbase-'));
const lab = await createIpBaseLab();
try {
  await makeAgentsLocal(lab);
  // BENCH_ORDER=routable runs the routable fleet first (the machine's load drifts during a run).
  const first: Mode = process.env['BENCH_ORDER'] === 'routable' ? 'routable' : 'loopback';
  const results: Partial<Record<Mode, Record<string, number | boolean | null>>> = {};
  for (const mode of first === 'routable' ? ['routable', 'loopback'] as const : ['loopback', 'routable'] as const) {
    results[mode] = await runMode(lab, mode, work);
  }
  const loopback = results.loopback!;
  const routable = results.routable!;
  const ratio = (a: unknown, b: unknown): number | null =>
    (typeof a === 'number' && typeof b === 'number' && b !== 0 ? +(a / b).toFixed(3) : null);
  const timeRatio = ratio(routable['allCheckedInAgainSeconds'], loopback['allCheckedInAgainSeconds']);
  const memoryRatio = ratio(routable['bytesPerAgent'], loopback['bytesPerAgent']);
  const s = routable['allCheckedInAgainSeconds'];
  console.log(JSON.stringify({
    scenario: 'ipbase', agents: N, heap: HEAP, first, loadAverage: loadavg().map((x) => +x.toFixed(1)), loopback, routable,
    timeRatioRoutableToLoopback: timeRatio, memoryRatioRoutableToLoopback: memoryRatio,
    target: 'routable all checked in again <= 10 s; memory per agent the same as loopback (ratio 0.9..1.1)',
    pass: typeof s === 'number' && s <= 10 && memoryRatio !== null && memoryRatio >= 0.9 && memoryRatio <= 1.1,
  }));
} finally {
  await lab.destroy();
  rmSync(work, { recursive: true, force: true });
}
process.exit(0);
