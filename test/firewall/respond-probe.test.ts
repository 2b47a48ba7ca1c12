// respond and probe as a user runs them, on loopback: every listener role of the catalog answers
// its probe, standard clients recognise the responders, a peer without responders gives refused,
// another service gives mismatch, --ca decides the chain check, and every report format is sound.
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runInProcess, runSmpLab, startSmpLab } from '../helpers/cli.js';

const runSmpLabPlain = (args: string[], opts: { env?: Record<string, string> } = {}) => runSmpLab(args, { ...opts, env: { ...PLAIN_NODE, ...opts.env } });
const startSmpLabPlain = (args: string[]) => startSmpLab(args, { env: PLAIN_NODE });
/** The verb run in this process (no node start-up per probe); the responders still run as the CLI. */
const runHere = (args: string[], opts: { env?: Record<string, string> } = {}) => runInProcess(args, { PATH: process.env.PATH, ...opts.env });
import { resolvePorts } from '../../shared/ports.js';
import type { ProbeResult } from '../../firewall/probe-status.js';

const exec = promisify(execFile);
const have = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
// An offset that keeps every catalog port out of the ephemeral range and away from the other tests.
const OFFSET = 11000 + Math.floor(Math.random() * 2500);
const PORTS = ['--port-offset', String(OFFSET)];
// Without the test runner's per-process instrumentation every smp-lab process starts in a fraction of the time.
const PLAIN_NODE = { NODE_OPTIONS: '' };
const map = resolvePorts({ offset: OFFSET });
const port = (id: string): string => String(map.port(id));
const ALL_LISTENERS = 'ns,ts,ps,agent,device,event-console,workflow,mail,ftp,internet';
const NO_PORT_OR_ICMP = /catalog gives no port|`ping` command/;

interface Report { rows: ProbeResult[]; summary: Record<string, number>; peer: string }
const parse = (s: string): Report => JSON.parse(s) as Report;

async function responder(args: string[]) {
  const r = startSmpLabPlain(['respond', '--bind', '127.0.0.1', ...PORTS, ...args]);
  await r.line(/^ready: .*$/m, 20000);
  return r;
}

t.test('every listener role answers its probe on loopback, both directions', async (t) => {
  const r = await responder(['--role', ALL_LISTENERS]);
  t.teardown(() => r.stop());
  t.notMatch(r.output().stdout, /^not bound/m, 'everything bound');
  const up = await runSmpLabPlain(['probe', '--role', 'agent', '--peer', '127.0.0.1', '--format', 'json', '--timeout', '2s', ...PORTS]);
  const down = await runHere(['probe', '--role', 'ns,ts,device,workflow', '--peer', '127.0.0.1', '--format', 'json', '--timeout', '2s',
    '--peer-role', 'agent,device,ns,ts,event-console,ftp,mail', ...PORTS]);
  for (const res of [up, down]) {
    const rep = parse(res.stdout);
    for (const row of rep.rows) {
      t.same(Object.keys(row).sort(), ['component', 'from', 'id', 'ms', 'port', 'reason', 'status', 'system', 'to', 'transport'].sort());
      if (row.status !== 'pass') t.match(row, { status: 'skipped', reason: NO_PORT_OR_ICMP }, `${row.id}: ${row.reason}`);
    }
    t.equal(res.code, 0, 'exit 0 when every probed flow passed');
    t.equal(rep.summary.total, rep.rows.length);
  }
  const rows = [...parse(up.stdout).rows, ...parse(down.stdout).rows];
  const ids = new Set(rows.map((x) => x.id));
  for (const id of ['ns-agent-https', 'ts-agent-channel', 'win32-pkg-udp-137', 'ns-tickle', 'ns-multicast', 'cp-snmp', 'cp-snmp-trap',
    'cp-ipmi', 'ulm-ssh-push', 'install-smb', 'install-netbios-dgm', 'ts-remoting-1', 'wf-ftp', 'wf-smtp', 'ec-alert', 'monitor-agent']) {
    t.ok(ids.has(id), `${id} probed`);
  }
  t.match(rows.find((x) => x.id === 'ns-multicast')?.reason, /group message to 224\.0\.255\.135 arrived/);
});

t.test('standard clients recognise the responders', async (t) => {
  const r = await responder(['--role', 'ns,ps,agent,device']);
  t.teardown(() => r.stop());
  const http = await exec('curl', ['-s', '-i', `http://127.0.0.1:${port('ns-agent-http')}/Altiris/NS/Agent/ConnectionTest.asp`]);
  t.match(http.stdout, /^HTTP\/1\.1 200/);
  t.match(http.stdout, /X-SMP-Lab-Role: .*ns/);
  const tls = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port('ns-agent-https')}`, '-brief'], { input: '', encoding: 'utf8', timeout: 10000 });
  t.match(tls.stderr + tls.stdout, /smp-lab/, 'openssl completes TLS and shows the responder certificate');
  if (have('snmpget')) {
    const s = await exec('snmpget', ['-v2c', '-c', 'public', '-t', '2', `127.0.0.1:${port('cp-snmp')}`, '1.3.6.1.2.1.1.1.0']);
    t.match(s.stdout, /smp-lab SNMP catalog responder/);
  }
  if (have('ipmitool')) {
    const i = spawnSync('ipmitool', ['-I', 'lan', '-H', '127.0.0.1', '-p', port('cp-ipmi'), '-U', 'admin', '-P', 'x', '-N', '1', '-R', '1', 'chassis', 'status'],
      { encoding: 'utf8', timeout: 20000 });
    t.match(i.stderr + i.stdout, /Invalid user name/, 'ipmitool got an IPMI answer (no such user)');
  }
  if (have('ssh')) {
    const s = spawnSync('ssh', ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes',
      '-o', 'ConnectTimeout=5', '-p', port('ulm-ssh-push'), 'probe@127.0.0.1', 'true'], { encoding: 'utf8', timeout: 15000 });
    t.match(s.stderr, /Permission denied/, 'ssh completes key exchange and is refused');
  }
  if (have('nmap')) {
    const n = await exec('nmap', ['-Pn', '-n', '-sV', '--version-light', '-p', port('ulm-ssh-push'), '127.0.0.1'], { timeout: 60000 });
    t.match(n.stdout, /open\s+ssh/, 'nmap service detection says ssh');
  }
});

t.test('a peer without responders gives refused (or timeout for multicast), never pass', async (t) => {
  // Nothing listens on these ports: the responder of the previous tests is stopped.
  const res = await runHere(['probe', '--role', 'ns', '--peer', '127.0.0.1', '--peer-role', 'agent', '--format', 'json', '--timeout', '700ms', ...PORTS]);
  t.equal(res.code, 1);
  for (const row of parse(res.stdout).rows) {
    t.equal(row.status, row.transport === 'udp-multicast' ? 'timeout' : 'refused', `${row.id}: ${row.reason}`);
  }
});

t.test('another service on the port gives mismatch, saying what answered', async (t) => {
  const r = await responder(['--role', 'ns,ts,agent']);
  t.teardown(() => r.stop());
  const res = await runHere(['probe', '--role', 'agent', '--peer', '127.0.0.1', '--format', 'json', '--timeout', '1s', ...PORTS,
    '--flow', 'ns-agent-http,ts-agent-channel', '--port', `ns-agent-http=${port('ulm-ssh-push')}`, '--port', `ts-agent-channel=${port('ns-agent-http')}`]);
  t.equal(res.code, 1);
  const rows = parse(res.stdout).rows;
  t.match(rows.find((x) => x.id === 'ns-agent-http'), { status: 'mismatch', reason: /not HTTP: "SSH-2\.0-/ });
  t.match(rows.find((x) => x.id === 'ts-agent-channel'), { status: 'mismatch' });
});

t.test('HTTPS reports the subject and whether it chains to --ca', { skip: have('openssl') ? false : 'openssl not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smp-fw-'));
  const mk = (name: string): void => {
    spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`)], { stdio: 'ignore' });
  };
  mk('lab-ns');
  mk('other-ca');
  const r = await responder(['--role', 'ns', '--cert', join(dir, 'lab-ns.pem'), '--key', join(dir, 'lab-ns.key')]);
  t.teardown(() => r.stop());
  const probe = (ca: string) => runHere(['probe', '--role', 'agent', '--peer', '127.0.0.1', '--peer-role', 'ns', '--flow', 'ns-agent-https',
    '--format', 'json', '--ca', join(dir, ca), ...PORTS]);
  const good = parse((await probe('lab-ns.pem')).stdout).rows[0];
  t.match(good, { status: 'pass', reason: /CN=lab-ns, chains to --ca/ });
  const bad = await probe('other-ca.pem');
  t.equal(bad.code, 1);
  t.match(parse(bad.stdout).rows[0], { status: 'mismatch', reason: /CN=lab-ns does NOT chain to --ca/ });
});

t.test('md, junit and --out; usage errors exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smp-fw-'));
  const common = ['probe', '--role', 'ns', '--peer', '127.0.0.1', '--peer-role', 'agent', '--flow', 'ns-tickle,ulm-ssh-push', '--timeout', '500ms', ...PORTS];
  const md = await runHere([...common, '--format', 'md']);
  t.match(md.stdout, /\| refused \| ns-tickle \| Notification Server \|/);
  const out = join(dir, 'probe.xml');
  const junit = await runSmpLabPlain([...common, '--format', 'junit', '--out', out]);
  t.equal(junit.code, 1);
  t.match(junit.stdout, /0\/2 pass, 2 refused.*report in/);
  const xml = readFileSync(out, 'utf8');
  t.match(xml, /<testsuites name="smp-lab probe" tests="2" failures="2"/);
  t.match(xml, /<failure type="refused"/);
  t.equal((await runHere(['probe', '--role', 'agent'])).code, 2, 'missing --peer');
  t.equal((await runHere(['probe', '--role', 'agent', '--peer', '127.0.0.1', '--format', 'xml'])).code, 2, 'bad format');
  t.equal((await runHere(['respond'])).code, 2, 'respond without --role');
  t.equal((await runHere(['verify-rules'])).code, 2, 'verify-rules without a ruleset');
  writeFileSync(join(dir, 'r.nft'), 'table inet x { }\n');
  const noTools = await runHere(['verify-rules', '--nft', join(dir, 'r.nft')], { env: { PATH: join(dir, 'empty') } });
  t.equal(noTools.code, 2, 'without ip/nft (or root) it exits 2');
  t.match(noTools.stderr, /needs (root|`ip`)/);
});

t.test('respond reports ports it cannot bind, and why', async (t) => {
  const r = await responder(['--role', 'ftp']);
  t.teardown(() => r.stop());
  const second = startSmpLabPlain(['respond', '--bind', '127.0.0.1', ...PORTS, '--role', 'ftp,mail']);
  t.teardown(() => second.stop());
  const m = await second.line(/^not bound tcp .*$/m);
  t.match(m[0], new RegExp(`127\\.0\\.0\\.1:${port('wf-ftp')}.*address in use`));
  await second.line(/^ready: 1 listening, 1 not bound/m);
});

t.test('respond --role ns hands the NS ports to the real Notification Server; probe recognises it', async (t) => {
  const r = await responder(['--role', 'ns']);
  t.teardown(() => r.stop());
  t.match(r.output().stdout, new RegExp(`listening tcp +127\\.0\\.0\\.1:${port('ns-agent-http')} .*\\n  note: served by the real Notification Server`));
  const res = await runHere(['probe', '--role', 'agent', '--peer', '127.0.0.1', '--peer-role', 'ns', '--format', 'json', '--timeout', '3s', ...PORTS,
    '--flow', 'ns-agent-http,ns-agent-https']);
  t.equal(res.code, 0, 'every NS flow passed');
  for (const row of parse(res.stdout).rows) t.match(row, { status: 'pass', reason: /ConnectionTest ping/ }, row.id);
  const http = await exec('curl', ['-s', '-i', `http://127.0.0.1:${port('ns-agent-http')}/Altiris/NS/Agent/ConnectionTest.asp`]);
  t.notMatch(http.stdout, /X-SMP-Lab-Role/i, 'the answer comes from the NS, not the catalog responder');
});

t.test('a port the NS shares with roles it has no pages for stays with the catalog responder', async (t) => {
  const r = await responder(['--role', 'ns,ts']);
  t.teardown(() => r.stop());
  t.match(r.output().stdout, /note: real Notification Server not used: port shared with ts/);
  const http = await exec('curl', ['-s', '-i', `http://127.0.0.1:${port('ts-http')}/Altiris/ClientTaskServer/GetServerStatus.aspx`]);
  t.match(http.stdout, /X-SMP-Lab-Role: ns,ts/);
});

t.test('garbage, floods and half-closed peers leave every responder answering', async (t) => {
  const { connect } = await import('node:net');
  const { createSocket } = await import('node:dgram');
  const { randomBytes } = await import('node:crypto');
  const r = await responder(['--role', 'ps,agent,device']);
  t.teardown(() => r.stop());
  const tcp = ['win32-pkg-tcp-135', 'win32-pkg-tcp-139', 'win32-pkg-tcp-445', 'ns-tickle', 'ulm-ssh-push', 'win32-pkg-http', 'cp-wsman-secure', 'monitor-agent'];
  const udp = ['win32-pkg-udp-135', 'win32-pkg-udp-137', 'install-netbios-dgm', 'cp-snmp', 'cp-ipmi', 'win32-pkg-udp-445', 'ns-multicast'];
  await Promise.all(tcp.map((id) => new Promise<void>((resolve) => {
    const s = connect({ host: '127.0.0.1', port: map.port(id) }, () => {
      s.write(randomBytes(256 * 1024));
      s.end(); // half-close: the responder must not wait for more
    });
    s.on('error', () => resolve());
    s.on('close', () => resolve());
    s.resume();
  })));
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  for (const id of udp) for (let i = 0; i < 200; i++) sock.send(randomBytes(1 + (i % 1400)), map.port(id), '127.0.0.1');
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  const res = await runHere(['probe', '--role', 'agent,ns', '--peer', '127.0.0.1', '--peer-role', 'ps,agent,device', '--format', 'json',
    '--flow', [...tcp, ...udp].join(','), '--timeout', '3s', ...PORTS]);
  for (const row of parse(res.stdout).rows) t.equal(row.status, 'pass', `${row.id} still answers: ${row.reason}`);
  t.equal(r.child.exitCode, null, 'the responder is still running');
});
