// Agents on routable addresses, end to end through the real CLI (root): the NS in one namespace, 1,000
// agents on 10.62.0.0/16 in another, a router between. They register from their own addresses, the NS
// tickles each one across the router and each checks in again; a magic packet to one agent's address
// (from the NS's console API, then from the stock `wakeonlan`) wakes it. Nothing is left behind.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetIdentities } from '../../agent/fleet/identity.js';
import { existingNamespaces, run } from '../../firewall/lab/netns.js';
import { DEFAULT_PORTS } from '../../shared/ports.js';
import { runSmpLab, startSmpLab } from '../helpers/cli.js';
import {
  adminApi, AGENT_BASE, countForwarded, createIpBaseLab, inNs, makeAgentsLocal, type IpBaseLab,
} from '../helpers/ipbase-lab.js';
import { waitUntil } from '../helpers/wait.js';

const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const why = process.getuid?.() !== 0 ? 'needs root (network namespaces)' : !have('ip') ? 'needs iproute2 (ip)' : false;

const COUNT = 1000;
t.setTimeout(900_000); // 1,000 registrations through RSA and a router take a minute or more on a busy machine
const SEED = `ipbase-${process.pid}`;
const ids = new FleetIdentities({ seed: SEED, ipBase: AGENT_BASE });

interface Resource { guid: string; lastSeenAt: number | null }
interface StoredEvent { resourceGuid: string | null; clientIp: string }
interface TickleAnswer { tcp?: { sent: number; outcomes: Record<string, number> }; magicPackets?: number }

async function lastSeen(lab: IpBaseLab): Promise<Map<string, number>> {
  const r = await adminApi<{ resources: Resource[] }>(lab, 'GET', `/resources?limit=${COUNT + 10}`);
  return new Map(r.json.resources.map((x) => [x.guid, x.lastSeenAt ?? 0]));
}

async function tickle(lab: IpBaseLab, body: object): Promise<TickleAnswer> {
  const r = await adminApi<TickleAnswer>(lab, 'POST', '/tickle', body);
  if (r.status !== 200) throw new Error(`tickle API answered ${r.status}: ${JSON.stringify(r.json)}`);
  return r.json;
}

t.test('agents on 10.62.0.0/16 behind a router, NS in another namespace', { skip: why, timeout: 600_000 }, async (t) => {
  const lab = await createIpBaseLab();
  const work = mkdtempSync(join(tmpdir(), 'smp-ipbase-'));
  const children: Array<ReturnType<typeof startSmpLab>> = [];
  t.teardown(async () => {
    for (const c of children.reverse()) await c.stop();
    await lab.destroy();
    rmSync(work, { recursive: true, force: true });
  });
  const agentArgs = ['agents', '--ip-base', AGENT_BASE, '--count', String(COUNT), '--seed', SEED, '--ns', lab.nsUrl,
    '--progress', 'none', '--no-delivery', '--key-pool', '4', '--state-dir', join(work, 'agents'),
    '--report-dir', join(work, 'reports')];

  await t.test('addresses not local: one line with the command, exit 2', async (t) => {
    const r = await runSmpLab(agentArgs, { prefix: inNs(lab.agent), timeoutMs: 30_000 });
    t.equal(r.code, 2, r.stderr);
    t.equal(r.stderr, 'smp-lab agents: agent addresses 10.62.0.1..10.62.3.232 are not local to this host; '
      + 'make them local with: ip route add local 10.62.0.0/22 dev lo\n');
  });

  await makeAgentsLocal(lab);
  const forwarded = have('nft') ? await countForwarded(lab, DEFAULT_PORTS.port('ns-tickle')) : null;
  const ns = startSmpLab(['ns', '--bind', lab.nsAddress, '--store', 'memory', '--no-https', '--log-level', 'warn',
    '--data', join(work, 'ns')], { prefix: inNs(lab.server) });
  children.push(ns);
  await ns.line(/ns ready/, 30_000);
  const agents = startSmpLab(agentArgs, { prefix: inNs(lab.agent) });
  children.push(agents);
  await agents.line(/agents ready: 1000 agents .*10\.62\.0\.1\.\.10\.62\.3\.232/, 60_000);

  await t.test('1,000 agents register, each from its own 10.62 address', async (t) => {
    await waitUntil(async () => (await lastSeen(lab)).size === COUNT, '1,000 registrations at the NS', 120_000, 500);
    const addressOf = new Map<string, Set<string>>();
    await waitUntil(async () => {
      const r = await adminApi<{ events: StoredEvent[] }>(lab, 'GET', '/events?limit=10000');
      for (const e of r.json.events) {
        if (e.resourceGuid === null) continue;
        addressOf.set(e.resourceGuid, (addressOf.get(e.resourceGuid) ?? new Set()).add(e.clientIp));
      }
      return addressOf.size >= COUNT;
    }, 'events from every agent', 60_000, 500);
    let right = 0;
    for (let i = 0; i < COUNT; i++) {
      const seen = [...(addressOf.get(ids.guid(i)) ?? [])];
      if (seen.length === 1 && seen[0] === ids.ip(i)) right += 1;
      else if (right === i) t.fail(`agent ${i}: the NS stored ${JSON.stringify(seen)}, not ${ids.ip(i)}`);
    }
    t.equal(right, COUNT, 'every agent\'s stored address is its own 10.62 address');
  });

  await t.test('the NS tickles each agent across the router and each checks in again', async (t) => {
    const before = await forwarded?.();
    const t0 = Date.now();
    // Batches of 250 (each agent still gets its own connection), so the NS sender's 5 s deadline per tickle
    // holds on a shared 2-core machine, where 1,000 at once queue behind the check-ins the first ones cause.
    let delivered = 0;
    for (let i = 0; i < COUNT; i += 250) {
      const r = await tickle(lab, { ips: Array.from({ length: Math.min(250, COUNT - i) }, (_, j) => ids.ip(i + j)) });
      delivered += r.tcp?.outcomes['delivered'] ?? 0;
      if (r.tcp?.outcomes['delivered'] !== r.tcp?.sent) t.comment(`batch ${i / 250}: ${JSON.stringify(r.tcp)}`);
    }
    t.equal(delivered, COUNT, 'every tickle delivered');
    await waitUntil(async () => [...(await lastSeen(lab)).values()].every((at) => at >= t0),
      'every agent to check in after its tickle', 60_000, 250);
    t.pass('all 1,000 checked in again');
    if (forwarded && before !== undefined) t.ok(await forwarded() - before >= COUNT, 'each tickle crossed the router');
    else t.comment('nft absent: the router counter was not checked');
  });

  const k = 42;
  const sleepThenWake = async (t: Test, wake: () => Promise<void>): Promise<void> => {
    t.equal((await tickle(lab, { ips: [ids.ip(k)], commands: ['power-off'] })).tcp?.outcomes['delivered'], 1, 'powered off');
    t.equal((await tickle(lab, { ips: [ids.ip(k)] })).tcp?.outcomes['reset'], 1, 'asleep: a tickle is reset');
    const t0 = Date.now();
    await wake();
    await waitUntil(async () => ((await lastSeen(lab)).get(ids.guid(k)) ?? 0) >= t0,
      `agent ${k} to wake and check in`, 30_000, 250);
    t.equal((await tickle(lab, { ips: [ids.ip(k)] })).tcp?.outcomes['delivered'], 1, 'awake: a tickle is delivered again');
  };

  await t.test('a magic packet from the NS to one agent\'s address wakes it', async (t) => {
    await sleepThenWake(t, async () => {
      t.equal((await tickle(lab, { macs: [ids.mac(k)], wakeTo: ids.ip(k) })).magicPackets, 1);
    });
  });

  const noWol = have('wakeonlan') ? false : 'wakeonlan is not installed';
  await t.test('wakeonlan from the NS namespace wakes it too', { skip: noWol }, async (t) => {
    await sleepThenWake(t, async () => {
      const port = String(DEFAULT_PORTS.port('ns-multicast'));
      const mac = ids.mac(k).replace(/-/g, ':');
      await run('ip', [...inNs(lab.server).slice(1), 'wakeonlan', '-i', ids.ip(k), '-p', port, mac]);
    });
  });

  await t.test('teardown leaves nothing', async (t) => {
    for (const c of children.splice(0).reverse()) await c.stop();
    await lab.destroy();
    t.same(await existingNamespaces([lab.server, lab.router, lab.agent]), []);
  });
});
