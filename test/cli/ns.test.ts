import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runSmpLab, startSmpLab } from '../helpers/cli.js';
import { TEST_CONSOLE_PASSWORD, TEST_CONSOLE_USER } from '../helpers/console-credentials.js';
import { freePorts } from '../helpers/free-port.js';

const run = promisify(execFile);

t.test('smp-lab ns serves HTTPS with the lab CA: curl and openssl -verify_return_error trust it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smp-ns-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [httpPort, httpsPort] = await freePorts(2);
  const ns = startSmpLab(['ns', '--port', `ns-agent-http=${httpPort}`, '--port', `ns-agent-https=${httpsPort}`, '--data', join(dir, 'ns'),
    '--certs', join(dir, 'certs'), '--store', 'memory', '--log-level', 'warn']);
  t.teardown(() => { if (ns.child.exitCode === null && ns.child.signalCode === null) ns.child.kill('SIGKILL'); });
  const ready = await ns.line(/ns ready http=127\.0\.0\.1:(\d+) https=127\.0\.0\.1:(\d+) store=memory/, 30000);
  t.same([Number(ready[1]), Number(ready[2])], [httpPort, httpsPort], 'ready line names the bound ports');
  const ca = join(dir, 'certs', 'ca.pem');
  const curl = await run('curl', ['-sS', '--fail-with-body', '--cacert', ca, '-u', `${TEST_CONSOLE_USER}:${TEST_CONSOLE_PASSWORD}`,
    `https://localhost:${httpsPort}/Altiris/Console/api/policies`]);
  t.equal(JSON.parse(curl.stdout).policies.length, 4);
  const ssl = await run('sh', ['-c', `echo | openssl s_client -connect 127.0.0.1:${httpsPort} -servername localhost -verify_return_error -CAfile ${ca} 2>&1`]);
  t.match(ssl.stdout, /Verify return code: 0 \(ok\)/);
  t.equal(await ns.stop('SIGTERM'), 0, 'SIGTERM stops with exit 0');
  t.match(ns.output().stdout, /ns stopped/);
});

t.test('smp-lab ns refuses bad options with one line and exit 2, a taken port with exit 1', async (t) => {
  const bad = await runSmpLab(['ns', '--store', 'disk']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--store: "disk" is not allowed; expected one of sqlite, memory/);
  const half = await runSmpLab(['ns', '--cert', '/nonexistent.pem', '--store', 'memory']);
  t.equal(half.code, 2);
  t.match(half.stderr, /--cert and --key go together/);
  const [taken] = await freePorts(1);
  const { createServer } = await import('node:net');
  const blocker = createServer().listen(taken, '127.0.0.1');
  t.teardown(() => blocker.close());
  await new Promise((r) => blocker.once('listening', r));
  const busy = await runSmpLab(['ns', '--port', `ns-agent-http=${taken}`, '--no-https', '--store', 'memory']);
  t.equal(busy.code, 1);
  t.match(busy.stderr, new RegExp(`cannot bind ns-agent-http on 127.0.0.1:${taken}: the port is in use`));
});
