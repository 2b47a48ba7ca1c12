// respond and probe as a user runs them, on loopback: every listener role of the catalog answers
// its probe, standard clients recognise the responders, a peer without responders gives refused and
// another service gives mismatch.
import t from 'tap';
import { unlessHave } from '../helpers/tools.js';
import { spawnSync } from 'node:child_process';
import { exec, parse, port, PORTS, responder, runHere, runSmpLabPlain } from './responder-cli.js';

const ALL_LISTENERS = 'ns,ts,ps,agent,device,event-console,workflow,mail,ftp,internet';
const NO_PORT_OR_ICMP = /catalog gives no port|`ping` command/;

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
  await t.test('snmpget reads sysDescr', { skip: unlessHave('snmpget', 'snmp') }, async (t) => {
    const s = await exec('snmpget', ['-v2c', '-c', 'public', '-t', '2', `127.0.0.1:${port('cp-snmp')}`, '1.3.6.1.2.1.1.1.0']);
    t.match(s.stdout, /smp-lab SNMP catalog responder/);
  });
  await t.test('ipmitool gets an IPMI answer', { skip: unlessHave('ipmitool', 'ipmitool') }, async (t) => {
    const i = spawnSync('ipmitool', ['-I', 'lan', '-H', '127.0.0.1', '-p', port('cp-ipmi'), '-U', 'admin', '-P', 'x', '-N', '1', '-R', '1', 'chassis', 'status'],
      { encoding: 'utf8', timeout: 20000 });
    t.match(i.stderr + i.stdout, /Invalid user name/, 'ipmitool got an IPMI answer (no such user)');
  });
  await t.test('ssh completes key exchange', { skip: unlessHave('ssh', 'openssh-client') }, async (t) => {
    const s = spawnSync('ssh', ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes',
      '-o', 'ConnectTimeout=5', '-p', port('ulm-ssh-push'), 'probe@127.0.0.1', 'true'], { encoding: 'utf8', timeout: 15000 });
    t.match(s.stderr, /Permission denied/, 'ssh completes key exchange and is refused');
  });
  await t.test('nmap service detection says ssh', { skip: unlessHave('nmap', 'nmap') }, async (t) => {
    const n = await exec('nmap', ['-Pn', '-n', '-sV', '--version-light', '-p', port('ulm-ssh-push'), '127.0.0.1'], { timeout: 60000 });
    t.match(n.stdout, /open\s+ssh/, 'nmap service detection says ssh');
  });
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
