// The console credentials as a user meets them on the command line: `smp-lab ns` without a password
// generates one, prints it once on its ready line and keeps only its scrypt hash (mode 0600) under
// --data; a second start on the same folder reuses it without printing it. `smp-lab task` takes the
// credentials from flag, environment or config file and says in one line (exit 2) when they are
// missing or wrong.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runSmpLab, startSmpLab } from '../helpers/cli.js';
import { freePorts } from '../helpers/free-port.js';

const run = promisify(execFile);
const NO_PASSWORD = { SMP_LAB_CONSOLE_PASSWORD: '' };
const TASK = '0F0E0D0C-0B0A-4909-8807-060504030201';

t.test('a generated console password: printed once, stored hashed with mode 0600, reused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smp-console-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [port] = await freePorts(1);
  const args = ['ns', '--port', `ns-agent-http=${port}`, '--no-https', '--store', 'memory', '--data', join(dir, 'ns'),
    '--log-level', 'info'];
  const code = async (...a: string[]) => (await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', ...a])).stdout;
  const api = `http://127.0.0.1:${port}/Altiris/Console/api/policies`;

  const first = startSmpLab(args, { env: NO_PASSWORD });
  t.teardown(() => first.stop('SIGKILL'));
  const [, password] = await first.line(
    /console=shared user=admin password=(\S+) \(generated now and shown only now; its hash is in \S+\)/, 30_000);
  t.equal(await code('-u', `admin:${password!}`, api), '200', 'the printed password opens the API (curl -u)');
  t.equal(await code('-u', 'admin:wrong', api), '401');
  t.equal(await first.stop('SIGTERM'), 0);

  const file = join(dir, 'ns', 'console-password.json');
  t.equal(statSync(file).mode & 0o777, 0o600, 'the hash file is mode 0600');
  t.equal(statSync(join(dir, 'ns', 'console-secret')).mode & 0o777, 0o600, 'the signing secret is mode 0600');
  const text = readFileSync(file, 'utf8');
  t.notOk(text.includes(password!), 'the file does not hold the password');
  const stored = JSON.parse(text) as Record<string, unknown>;
  t.match(stored, { algorithm: 'scrypt', N: Number, r: Number, p: Number, salt: String, hash: String });

  const second = startSmpLab(args, { env: NO_PASSWORD });
  t.teardown(() => second.stop('SIGKILL'));
  await second.line(
    /console=shared user=admin password=stored \(hash in \S+console-password\.json; delete it to make a new one\)/, 30_000);
  t.equal(await code('-u', `admin:${password!}`, api), '200', 'the same password after a restart');
  const outputs = [first.output(), second.output()].map((o) => o.stdout + o.stderr).join('\n');
  t.equal(outputs.split(password!).length - 1, 1, 'the password was printed exactly once, logs included');

  const base = `http://127.0.0.1:${port}`;
  const missing = await runSmpLab(['task', 'status', TASK, '--ns', base], { env: NO_PASSWORD });
  t.equal(missing.code, 2, 'no credentials: exit 2');
  t.match(missing.stderr, /needs console credentials: give --console-password \(or SMP_LAB_CONSOLE_PASSWORD/);
  t.equal(missing.stderr.trim().split('\n').length, 1, 'in one line');
  const wrong = await runSmpLab(['task', 'status', TASK, '--ns', base, '--console-password', 'nope'], { env: NO_PASSWORD });
  t.equal(wrong.code, 2, 'wrong password: exit 2');
  t.match(wrong.stderr, /refused user "admin" and the password/);
  t.equal(wrong.stderr.trim().split('\n').length, 1);
  const byEnv = await runSmpLab(['task', 'status', TASK, '--ns', base], { env: { SMP_LAB_CONSOLE_PASSWORD: password! } });
  t.equal(byEnv.code, 1, 'right password by env: the NS answers (no such task)');
  t.match(byEnv.stderr, /NS answered 404: no task/);
  const config = join(dir, 'smp-lab.json');
  writeFileSync(config, JSON.stringify({ task: { consolePassword: password } }));
  const byFile = await runSmpLab(['task', 'status', TASK, '--ns', base, '--config', config], { env: NO_PASSWORD });
  t.match(byFile.stderr, /NS answered 404: no task/, 'right password from the config file');
  const issued = await run('curl', ['-sS', '-u', `admin:${password!}`, '-X', 'POST', `${base}/Altiris/Console/api/tokens`]);
  const token = (JSON.parse(issued.stdout) as { token: string }).token;
  const byToken = await runSmpLab(['task', 'status', TASK, '--ns', base, '--console-token', token], { env: NO_PASSWORD });
  t.match(byToken.stderr, /NS answered 404: no task/, 'a bearer token instead of the password');
  t.equal(await second.stop('SIGTERM'), 0);
});
