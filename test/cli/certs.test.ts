// `smp-lab certs` end to end as a user runs it: files made, reused, remade; output names the paths;
// exit codes 0 on success and 2 with one line on stderr for a bad flag or value.
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { runSmpLab } from '../helpers/cli.js';

const run = promisify(execFile);

t.test('certs makes, reuses and remakes, printing the paths', async (t) => {
  const cwd = t.testdir();
  const first = await runSmpLab(['certs'], { cwd });
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /lab CA\s+made \(missing\)/);
  t.match(first.stdout, /server\s+made \(missing\)/);
  const caPath = join(cwd, '.lab/certs/ca.pem');
  t.match(first.stdout, `${caPath}   <- give this file to clients`);
  t.match(first.stdout, /names\s+localhost, .*127\.0\.0\.1, ::1/);
  await run('openssl', ['verify', '-CAfile', caPath, join(cwd, '.lab/certs/server.pem')]);
  t.equal((await stat(join(cwd, '.lab/certs'))).mode & 0o777, 0o700);
  t.equal((await stat(join(cwd, '.lab/certs/server-key.pem'))).mode & 0o777, 0o600);

  const again = await runSmpLab(['certs'], { cwd });
  t.equal(again.code, 0);
  t.match(again.stdout, /lab CA\s+reused \(valid\)/);
  t.match(again.stdout, /server\s+reused \(valid\)/);

  const renamed = await runSmpLab(['certs', '--name', 'ns.lab.example,localhost', '--ip', '127.0.0.1', '--ip', '10.9.8.7'], { cwd });
  t.equal(renamed.code, 0, renamed.stderr);
  t.match(renamed.stdout, /lab CA\s+reused/);
  t.match(renamed.stdout, /server\s+made \(names changed/);
  t.match(renamed.stdout, /names\s+localhost, ns\.lab\.example, 10\.9\.8\.7, 127\.0\.0\.1;/);
  const san = (await run('openssl', ['x509', '-in', join(cwd, '.lab/certs/server.pem'), '-noout', '-ext', 'subjectAltName'])).stdout;
  t.match(san, /DNS:ns\.lab\.example/);
  t.match(san, /IP Address:10\.9\.8\.7/);

  const forced = await runSmpLab(['certs', '--out', join(cwd, '.lab/certs'), '--name', 'ns.lab.example,localhost',
    '--ip', '127.0.0.1,10.9.8.7', '--force', '--format', 'json'], { cwd });
  t.equal(forced.code, 0, forced.stderr);
  const doc = JSON.parse(forced.stdout) as { ca: { action: string }; server: { action: string; reason: string }; paths: { caCert: string } };
  t.equal(doc.ca.action, 'reused');
  t.same([doc.server.action, doc.server.reason], ['made', 'forced (--force)']);
  t.equal(doc.paths.caCert, caPath);
  const manifest = JSON.parse(await readFile(join(cwd, '.lab/certs/manifest.json'), 'utf8')) as { server: { reason: string } };
  t.equal(manifest.server.reason, 'forced (--force)');
});

t.test('bad flags and values exit 2 with one clear line', async (t) => {
  const cwd = t.testdir();
  const cases: Array<[string[], RegExp]> = [
    [['certs', '--bogus'], /Unknown option '--bogus'/],
    [['certs', '--ip', '300.1.2.3'], /--ip: "300\.1\.2\.3" is not allowed; expected an IPv4 or IPv6 address/],
    [['certs', '--name', 'bad_name'], /--name: "bad_name" is not allowed; expected a DNS name/],
    [['certs', '--days', '0'], /--days: "0" is not allowed; expected an integer from 1 to 3650/],
    [['certs', '--key-bits', '1024'], /--key-bits: "1024" is not allowed/],
    [['certs', '--format', 'xml'], /--format: "xml" is not allowed; expected one of text, json/],
    [['certs', '--days'], /--days/],
  ];
  for (const [args, re] of cases) {
    const r = await runSmpLab(args, { cwd });
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, re, args.join(' '));
    t.equal(r.stderr.trimEnd().split('\n').length, 1, `one line: ${r.stderr}`);
    t.equal(r.stdout, '');
  }
  await t.rejects(stat(join(cwd, '.lab')), { code: 'ENOENT' }, 'nothing written on a bad value');

  const env = await runSmpLab(['certs'], { cwd, env: { SMP_LAB_IP: '127.0.0.1,nope' } });
  t.equal(env.code, 2);
  t.match(env.stderr, /SMP_LAB_IP|--ip/);
});

t.test('an unwritable folder is an error with exit code, not a crash', async (t) => {
  const cwd = t.testdir({ blocker: 'a file where the folder should be' });
  const r = await runSmpLab(['certs', '--out', join(cwd, 'blocker', 'certs')], { cwd });
  t.equal(r.code, 2);
  t.match(r.stderr, /^smp-lab certs: cannot create the certificate folder/);
  t.equal(r.stderr.trimEnd().split('\n').length, 1);
});

t.test('an unwritable or impossible folder is one line and exit 2, at once', async (t) => {
  // Node's recursive mkdir spins forever under /proc; the folder must fail instead.
  const res = await runSmpLab(['certs', '--out', '/proc/nope/certs'], { timeoutMs: 15000 });
  t.equal(res.code, 2);
  t.match(res.stderr, /^smp-lab certs: cannot create the certificate folder \/proc\/nope\/certs: ENOENT/);
  t.equal(res.stderr.trim().split('\n').length, 1);
  const file = join(t.testdir({ file: 'x' }), 'file');
  const under = await runSmpLab(['certs', '--out', join(file, 'certs')], { timeoutMs: 15000 });
  t.equal(under.code, 2);
  t.match(under.stderr, /cannot create the certificate folder .*ENOTDIR/);
});
