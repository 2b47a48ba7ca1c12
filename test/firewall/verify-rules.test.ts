// verify-rules end to end in network namespaces (root, iproute2, nftables): for each ruleset the
// probe's status of every flow, both directions, equals what the ruleset implies, computed here from
// the same rule data that wrote the ruleset; nothing (namespace, link, process) is left behind.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSmpLab, startSmpLab } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';
import { resolvePorts } from '../../shared/ports.js';
import { LAB, existingNamespaces, labNamesIn } from '../../firewall/lab/netns.js';
import type { ProbeResult, ProbeStatus } from '../../firewall/probe-status.js';

const have = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const why = process.getuid?.() !== 0 ? 'needs root (network namespaces)' : !have('ip') ? 'needs iproute2' : !have('nft') ? 'needs nftables' : false;
const map = resolvePorts();
const port = (id: string): number => map.port(id);
const dir = mkdtempSync(join(tmpdir(), 'smp-fw-lab-'));
// Without the test runner's per-process instrumentation every lab process starts in a fraction of the time.
const PLAIN_NODE = { NODE_OPTIONS: '' };

type Dir = 'agent->server' | 'server->agent';
interface Rule { dir: Dir; proto: 'tcp' | 'udp'; port: number; action: 'drop' | 'reset' | 'icmp-port' | 'icmp-admin' | 'dnat'; to?: number }

const IIF: Record<Dir, string> = { 'agent->server': LAB.routerAgentIf, 'server->agent': LAB.routerServerIf };
const DST: Record<Dir, string> = { 'agent->server': LAB.server, 'server->agent': LAB.agent };
const VERDICT = { drop: 'drop', reset: 'reject with tcp reset', 'icmp-port': 'reject with icmpx type port-unreachable',
  'icmp-admin': 'reject with icmpx type admin-prohibited' } as const;

function nftRuleset(rules: Rule[]): string {
  const filter = rules.filter((r) => r.action !== 'dnat').map((r) => `    iifname "${IIF[r.dir]}" ${r.proto} dport ${r.port} ${VERDICT[r.action as keyof typeof VERDICT]}`);
  const nat = rules.filter((r) => r.action === 'dnat').map((r) => `    iifname "${IIF[r.dir]}" ${r.proto} dport ${r.port} dnat to ${DST[r.dir]}:${r.to}`);
  return ['table inet smplab_test {', '  chain forward {', '    type filter hook forward priority 0; policy accept;', ...filter, '  }', '}',
    'table ip smplab_test_nat {', '  chain prerouting {', '    type nat hook prerouting priority -100; policy accept;', ...nat, '  }', '}', ''].join('\n');
}

/** What a row must show: the rule that hits it decides; else the all-open outcome. */
function expected(row: ProbeResult, rules: Rule[]): ProbeStatus {
  const hit = rules.find((r) => r.dir === row.direction && r.proto === row.transport && r.port === row.port);
  if (hit) return hit.action === 'drop' ? 'timeout' : hit.action === 'dnat' ? 'mismatch' : 'refused';
  if (row.port === null && row.transport !== 'icmp') return 'skipped'; // no port in the catalog
  if (row.transport === 'udp-multicast') return 'skipped'; // TTL-1 multicast never crosses the router
  if (row.transport === 'icmp') return have('ping') ? 'pass' : 'skipped';
  return 'pass';
}

/** Starts verify-rules now; the caller awaits it later (a failure is reported there, not as unhandled). */
function verify(name: string, args: string[], rules: Rule[], flows?: string[]) {
  const run = verifyNow(name, args, rules, flows);
  run.catch(() => undefined);
  return run;
}

async function verifyNow(name: string, args: string[], rules: Rule[], flows?: string[]) {
  const res = await runSmpLab(['verify-rules', ...args, '--format', 'json', '--timeout', '2s', ...(flows ? ['--flow', flows.join(',')] : [])],
    { timeoutMs: 60000, env: PLAIN_NODE });
  made.push(...labNamesIn(res.stderr));
  if (res.code !== 0 && res.code !== 1) throw new Error(`${name}: verify-rules failed (${String(res.code)}): ${res.stderr.slice(0, 500)}`);
  const rows = (JSON.parse(res.stdout) as { rows: ProbeResult[] }).rows;
  // A failing row shows verify-rules' own log too (the lab's namespaces and what each responder bound).
  const log = { log: res.stderr.slice(0, 4000) };
  return { res, rows, check: (tt: { equal: (a: unknown, b: unknown, m: string, extra: object) => void }) => {
    for (const row of rows) tt.equal(row.status, expected(row, rules), `${name}: ${row.direction ?? ''} ${row.id} ${row.transport}/${row.port ?? '-'}: ${row.reason}`, log);
    tt.equal(res.code, rows.every((r) => r.status === 'pass' || r.status === 'skipped') ? 0 : 1, `${name}: exit code`, log);
  } };
}

function nftFile(name: string, rules: Rule[]): string {
  const file = join(dir, `${name}.nft`);
  writeFileSync(file, nftRuleset(rules));
  return file;
}

const DROP: Rule[] = [
  { dir: 'agent->server', proto: 'tcp', port: port('ns-agent-https'), action: 'drop' },
  { dir: 'server->agent', proto: 'tcp', port: port('ns-tickle'), action: 'drop' },
  { dir: 'agent->server', proto: 'udp', port: port('win32-pkg-udp-137'), action: 'drop' },
  { dir: 'server->agent', proto: 'udp', port: port('cp-snmp'), action: 'drop' },
];
const DROP_FLOWS = ['ns-agent-https', 'ts-https', 'ns-agent-http', 'win32-pkg-udp-137', 'win32-pkg-udp-135', 'ns-tickle', 'ulm-ssh-push', 'cp-snmp', 'cp-ipmi'];
const REJECT: Rule[] = [
  { dir: 'agent->server', proto: 'tcp', port: port('ns-agent-http'), action: 'reset' },
  { dir: 'agent->server', proto: 'udp', port: port('win32-pkg-udp-135'), action: 'icmp-port' },
  { dir: 'server->agent', proto: 'tcp', port: port('ulm-ssh-push'), action: 'icmp-admin' },
  { dir: 'server->agent', proto: 'udp', port: port('cp-ipmi'), action: 'icmp-port' },
];
const REJECT_FLOWS = ['ns-agent-http', 'ts-http', 'ns-agent-https', 'win32-pkg-udp-135', 'win32-pkg-tcp-135', 'ulm-ssh-push', 'install-smb', 'cp-ipmi', 'cp-snmp'];
const REDIRECT: Rule[] = [
  { dir: 'agent->server', proto: 'tcp', port: port('ns-agent-http'), action: 'dnat', to: port('win32-pkg-tcp-445') },
  { dir: 'server->agent', proto: 'tcp', port: port('ns-tickle'), action: 'dnat', to: port('ulm-ssh-push') },
];
const REDIRECT_FLOWS = ['ns-agent-http', 'win32-pkg-http', 'ns-agent-https', 'ns-tickle', 'ulm-ssh-push', 'install-smb'];
const IPTABLES: Rule[] = [
  { dir: 'agent->server', proto: 'tcp', port: port('ts-agent-channel'), action: 'drop' },
  { dir: 'server->agent', proto: 'tcp', port: port('install-smb'), action: 'reset' },
];
const IPTABLES_FLOWS = ['ts-agent-channel', 'ts-http', 'install-smb', 'ulm-ssh-push'];

function iptablesFile(): string {
  const file = join(dir, 'rules.iptables');
  writeFileSync(file, ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
    `-A FORWARD -i ${LAB.routerAgentIf} -p tcp --dport ${port('ts-agent-channel')} -j DROP`,
    `-A FORWARD -i ${LAB.routerServerIf} -p tcp --dport ${port('install-smb')} -j REJECT --reject-with tcp-reset`, 'COMMIT', ''].join('\n'));
  return file;
}

/** Namespaces the runs of this file made (other suites may run their own labs on this machine at the same time). */
const made: string[] = [];

const netnsInode = (path: string): number | null => {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
};

/**
 * Lab respond/probe processes left in a namespace that no longer has a name: what a lab that was
 * torn down leaves if it forgets a process. Processes of labs still running (other suites) have a
 * named namespace and are not counted.
 */
function orphanLabProcesses(): string[] {
  const named = new Set<number>();
  for (const f of (() => { try { return readdirSync('/run/netns'); } catch { return []; } })()) {
    const ino = netnsInode(`/run/netns/${f}`);
    if (ino !== null) named.add(ino);
  }
  const root = netnsInode('/proc/1/ns/net');
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((p) => {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ');
      if (!/main\.js (respond|probe) .*10\.250\.[12]\.2/.test(cmd)) return [];
      const ino = netnsInode(`/proc/${p}/ns/net`);
      return ino === null || ino === root || named.has(ino) ? [] : [`${p}: ${cmd}`];
    } catch {
      return [];
    }
  });
}

t.test('verify-rules in namespaces: statuses follow the ruleset, row by row, both directions', { skip: why }, async (t) => {
  await t.test('all open: the whole catalog of the roles passes (or is skipped for a stated reason)', async (t) => {
    const v = await verify('open', ['--nft', nftFile('open', [])], []);
    const dirs = new Set(v.rows.map((r) => r.direction));
    t.same([...dirs].sort(), ['agent->server', 'server->agent']);
    t.ok(v.rows.length >= 50, `${v.rows.length} flows probed`);
    v.check(t);
  });

  // Two rulesets at a time, each in its own namespaces: the drops wait out their timeouts together.
  const [dropRun, rejectRun] = [verify('drop', ['--nft', nftFile('drop', DROP)], DROP, DROP_FLOWS), verify('reject', ['--nft', nftFile('reject', REJECT)], REJECT, REJECT_FLOWS)];
  // A third lab beside them (two small roles: cheap to start), whose server-side responder is killed
  // while its probe waits out a drop.
  const crashRules: Rule[] = [{ dir: 'agent->server', proto: 'tcp', port: port('wf-ftp'), action: 'drop' }];
  const crashRun = startSmpLab(['verify-rules', '--nft', nftFile('crash', crashRules), '--server-role', 'ftp', '--agent-role', 'workflow',
    '--timeout', '20s', '--flow', 'wf-ftp'], { env: PLAIN_NODE });
  const crashed = (async () => {
    await waitUntil(() => /^probing /m.test(crashRun.output().stderr), 'the probes starting', 30000);
    const names = labNamesIn(crashRun.output().stderr);
    made.push(...names);
    const serverNs = names.find((n) => n.startsWith('smplab-s-')) ?? '';
    // Only the server-side responder runs there (no flow is probed from the server side).
    const pids = spawnSync('ip', ['netns', 'pids', serverNs], { encoding: 'utf8' }).stdout.split('\n').filter((p) => /^\d+$/.test(p));
    for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
    await waitUntil(() => crashRun.child.exitCode !== null, 'verify-rules to end after its responder died (the probe alone would wait 20 s)', 15000);
    return { names, pids, code: crashRun.child.exitCode, stderr: crashRun.output().stderr, stdout: crashRun.output().stdout };
  })();
  crashed.catch(() => undefined);

  await t.test('dropped flows time out, a dropped UDP flow too', async (t) => {
    const v = await dropRun;
    v.check(t);
    t.ok(v.rows.some((r) => r.status === 'timeout' && r.transport === 'udp'), 'a UDP flow timed out');
  });

  await t.test('rejected flows are refused: TCP reset, ICMP port unreachable, ICMP admin-prohibited', async (t) => {
    (await rejectRun).check(t);
  });

  await t.test('a responder that dies while the probes run is an error naming it, never rows that blame the ruleset', async (t) => {
    t.teardown(() => crashRun.stop('SIGINT', 20000));
    const c = await crashed;
    t.ok(c.pids.length > 0, `killed the server-side responder (${c.pids.join(',')})`);
    t.equal(c.code, 2, 'exit 2 (lab fault), not 0/1 (a verdict on the ruleset)');
    t.match(c.stderr, /respond in smplab-s-[a-z0-9]+ ended \(SIGKILL\) while the probes ran/);
    t.equal(c.stdout, '', 'no report');
    t.same(await existingNamespaces(c.names), [], 'the lab was removed');
  });

  const [redirectRun, iptablesRun] = [verify('redirect', ['--nft', nftFile('redirect', REDIRECT)], REDIRECT, REDIRECT_FLOWS),
    have('iptables-restore') ? verify('iptables', ['--iptables', iptablesFile()], IPTABLES, IPTABLES_FLOWS) : null];
  await t.test('a flow redirected to another service is a mismatch that names what answered', async (t) => {
    const v = await redirectRun;
    v.check(t);
    t.match(v.rows.find((r) => r.id === 'ns-tickle')?.reason, /SSH-2\.0-/, 'the tickle probe says SSH answered');
  });

  await t.test('iptables-restore rulesets work the same', { skip: iptablesRun ? false : 'needs iptables' }, async (t) => {
    (await iptablesRun)?.check(t);
  });

  await t.test('Ctrl-C removes the lab', async (t) => {
    const rules: Rule[] = [{ dir: 'agent->server', proto: 'tcp', port: port('ns-agent-http'), action: 'drop' }];
    const run = startSmpLab(['verify-rules', '--nft', nftFile('sigint', rules), '--timeout', '20s', '--flow', 'ns-agent-http'], { env: PLAIN_NODE });
    await waitUntil(() => /^probing /m.test(run.output().stderr), 'the probes starting', 30000);
    const names = labNamesIn(run.output().stderr);
    made.push(...names);
    t.equal(names.length, 3, 'three namespaces made');
    const code = await run.stop('SIGINT', 20000);
    t.not(code, 0, 'interrupted run does not claim success');
    t.same(await existingNamespaces(names), [], 'namespaces removed after Ctrl-C');
    t.same(orphanLabProcesses(), [], 'processes ended after Ctrl-C');
  });

  await t.test('nothing is left behind', async (t) => {
    t.ok(made.length >= 3, `${made.length} namespaces made by this file`);
    t.same(await existingNamespaces(made), [], 'no namespace left behind');
    t.same(orphanLabProcesses(), [], 'no respond/probe process left behind');
  });
});
