// More of respond and probe on loopback: --ca decides the chain check, every report format is sound,
// usage errors exit 2, bind failures are reported, the real Notification Server takes the NS ports,
// and garbage, floods and half-closed peers leave every responder answering.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec, have, map, parse, port, PORTS, responder, runHere, runSmpLabPlain, startSmpLabPlain } from './responder-cli.js';

t.test('HTTPS reports the subject and whether it chains to --ca', { skip: have('openssl') ? false : 'openssl not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smp-fw-'));
  const mk = (name: string): void => {
    spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
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
