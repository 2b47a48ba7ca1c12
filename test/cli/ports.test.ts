// `smp-lab ports` as a user runs it: every output format, rule formats checked by the real nft and
// iptables-restore, and the rules open exactly the catalog flows of the role, each in its direction.
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { runInProcess, runSmpLab } from '../helpers/cli.js';
import { CATALOG } from '../../shared/catalog.js';
import { ROLES, type Role } from '../../shared/catalog-types.js';

const have = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const isRoot = process.getuid?.() === 0;

/** Flow ids a host of these roles must pass, per direction, computed here from the catalog rows. */
function expected(roles: Role[]): { in: Set<string>; out: Set<string> } {
  const out = new Set<string>();
  const inn = new Set<string>();
  for (const f of CATALOG) {
    if (f.port === null && f.transport !== 'icmp') continue;
    if (roles.includes(f.initiator)) out.add(f.id);
    if (roles.includes(f.listener)) inn.add(f.id);
  }
  return { in: inn, out };
}

/** Flow ids the rules carry, read from the `# in|out ...: ids` comment above each rule. */
function carried(text: string): { in: Set<string>; out: Set<string> } {
  const res = { in: new Set<string>(), out: new Set<string>() };
  for (const m of text.matchAll(/^\s*# (in|out) (?!igmp)[^:]*: (.+)$/gm)) {
    for (const id of (m[2] ?? '').split(', ')) res[m[1] as 'in' | 'out'].add(id);
  }
  // PowerShell: the flow ids are the rule's description.
  for (const m of text.matchAll(/^New-NetFirewallRule .*-Description '([^']+)' -Direction (Inbound|Outbound) .*$/gm)) {
    if (/-Protocol 2\b/.test(m[0])) continue;
    for (const id of (m[1] ?? '').split(', ')) res[m[2] === 'Inbound' ? 'in' : 'out'].add(id);
  }
  return res;
}

t.test('table, json, csv and md describe the same flows', async (t) => {
  const json = await runSmpLab(['ports', '--format', 'json']);
  t.equal(json.code, 0);
  const rows = JSON.parse(json.stdout) as { id: string; port: number | null }[];
  t.same(rows.map((r) => r.id), CATALOG.map((f) => f.id));
  const csv = await runSmpLab(['ports', '--format', 'csv']);
  t.equal(csv.stdout.trim().split('\n').length, CATALOG.length + 1, 'csv: header and one line a flow');
  t.match(csv.stdout.split('\n')[0], /^id,system,component,from,to,transport,port/);
  const md = await runSmpLab(['ports', '--format', 'md']);
  t.equal(md.stdout.trim().split('\n').length, CATALOG.length + 2, 'md: header, rule and one line a flow');
  const table = await runSmpLab(['ports']);
  for (const f of CATALOG) t.match(table.stdout, new RegExp(`^${f.id}\\s`, 'm'), `table has ${f.id}`);
});

t.test('filters and overrides are seen in every format', async (t) => {
  const res = await runSmpLab(['ports', '--format', 'json', '--role', 'event-console', '--port-offset', '1000', '--port', 'ec-alert=18500']);
  const rows = JSON.parse(res.stdout) as { id: string; port: number; defaultPort: number }[];
  t.same(rows.map((r) => [r.id, r.port, r.defaultPort]), [
    ['ec-alert', 18500, 8500], ['ec-receiver-refresh', 9502, 8502], ['ec-engine-refresh', 9503, 8503],
  ]);
  const sys = await runSmpLab(['ports', '--format', 'csv', '--system', 'Monitor Solution']);
  t.equal(sys.stdout.trim().split('\n').length, 2);
  const nft = await runSmpLab(['ports', '--format', 'nft', '--role', 'event-console', '--port', 'ec-alert=18500']);
  t.match(nft.stdout, /tcp dport 18500 accept/);
  t.notMatch(nft.stdout, /dport 8500 /);
});

for (const role of ROLES) {
  t.test(`rules for role ${role} open exactly its flows`, async (t) => {
    const want = expected([role]);
    for (const format of ['nft', 'iptables', 'netsh']) {
      const res = await runInProcess(['ports', '--role', role, '--format', format]);
      t.equal(res.code, 0, `${format}: exit 0`);
      const got = carried(res.stdout);
      t.same([...got.in].sort(), [...want.in].sort(), `${format}: inbound flows`);
      t.same([...got.out].sort(), [...want.out].sort(), `${format}: outbound flows`);
    }
  });
}

t.test('nft output loads with nft -c', { skip: !(have('nft') && isRoot) && 'needs nft and root' }, async (t) => {
  for (const roles of ['agent', 'ns', 'ts', 'ps', 'ns,ts,ps', 'device', 'workflow']) {
    const res = await runInProcess(['ports', '--role', roles, '--format', 'nft', '--port-offset', '7']);
    const check = spawnSync('nft', ['-c', '-f', '-'], { input: res.stdout, encoding: 'utf8' });
    t.equal(check.status, 0, `nft -c accepts the ${roles} ruleset ${check.stderr}`);
  }
});

t.test('iptables output loads with iptables-restore --test', { skip: !(have('iptables-restore') && isRoot) && 'needs iptables and root' }, async (t) => {
  for (const roles of ['agent', 'ns', 'ns,ts,ps', 'device']) {
    const res = await runInProcess(['ports', '--role', roles, '--format', 'iptables']);
    const check = spawnSync('iptables-restore', ['--test'], { input: res.stdout, encoding: 'utf8' });
    t.equal(check.status, 0, `iptables-restore --test accepts the ${roles} rules ${check.stderr}`);
  }
});

t.test('the agent ruleset behaves in a network namespace: its flows pass, others are dropped', { skip: !(have('nft') && have('ip') && isRoot) && 'needs nft, ip and root' }, async (t) => {
  const ns = `smplab-ports-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.teardown(() => spawnSync('ip', ['netns', 'del', ns]));
  const res = await runSmpLab(['ports', '--role', 'agent', '--format', 'nft']);
  execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: res.stdout });
  const listed = execFileSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'table', 'inet', 'smp_lab'], { encoding: 'utf8' });
  t.match(listed, /tcp dport 52028 accept/);
  t.match(listed, /policy drop/);
});

t.test('rule formats need a role; bad flags and values exit 2 with one line', async (t) => {
  const cases: [string[], RegExp][] = [
    [['ports', '--format', 'nft'], /--role: "" is not allowed; expected a role for nft rules/],
    [['ports', '--format', 'yaml'], /--format: "yaml" is not allowed; expected one of table, json, csv, md, nft, iptables, netsh/],
    [['ports', '--role', 'router'], /--role: "router" is not allowed/],
    [['ports', '--port', 'ns-tickle=70000'], /"70000" is not allowed; expected a port from 1 to 65535/],
    [['ports', '--port-offset=-3'], /--port-offset: "-3" is not allowed/],
    [['ports', '--bogus'], /Unknown option '--bogus'/],
    [['nosuchverb'], /unknown verb "nosuchverb"/],
  ];
  for (const [argv, re] of cases) {
    const res = await runSmpLab(argv);
    t.equal(res.code, 2, `${argv.join(' ')}: exit 2`);
    t.match(res.stderr, re, argv.join(' '));
    t.equal(res.stderr.trim().split('\n').length, 1, 'one line');
    t.equal(res.stdout, '', 'nothing on stdout');
  }
  const env = await runSmpLab(['ports'], { env: { SMP_LAB_PORT_OFFSET: 'ten' } });
  t.equal(env.code, 2);
  t.match(env.stderr, /SMP_LAB_PORT_OFFSET: "ten" is not allowed/);
});
