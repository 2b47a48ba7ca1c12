// `smp-lab up` as `npm start` runs it: NS and fleet on loopback, the printed port map, registration
// seen through the console API, a tickle by the `smp-lab tickle` verb and the console's tickle API,
// then Ctrl-C: a clean stop with the report written.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSmpLab, startSmpLab } from '../helpers/cli.js';
import { adminHeaders } from '../helpers/console-credentials.js';
import { waitUntil } from '../helpers/wait.js';

t.test('smp-lab up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smp-up-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const up = startSmpLab(['up', '--agents', '30', '--port-offset', '13000', '--ramp', '300ms', '--progress', 'plain',
    '--state-dir', join(dir, 'state'), '--data-dir', join(dir, 'ns'), '--cert-dir', join(dir, 'certs'), '--log-dir', join(dir, 'logs'),
    '--report-dir', join(dir, 'reports'), '--key-pool', '2']);
  t.teardown(() => up.stop('SIGKILL'));
  const [, offset] = await up.line(/smp-lab up: port offset (\d+)/, 30_000);
  const [, api] = await up.line(/console API\s+(http:\/\/\S+)\/resources/);
  t.match(up.output().stdout, /console login\s+http:\/\/\S+\/Altiris\/Console\/login\s+user=admin password=given/, 'the banner names the console login');
  t.equal((await fetch(`${api}/resources`)).status, 401, 'the console API of up needs credentials');
  await up.line(/agents ready: 30 agents/, 30_000);
  const total = async () => ((await (await fetch(`${api}/resources?limit=1`, { headers: adminHeaders() })).json()) as { total: number }).total;
  await waitUntil(async () => (await total()) === 30, 'all 30 agents registered', 30_000, 100);

  const tickle = await runSmpLab(['tickle', '--port-offset', offset!, '--fleet-count', '30', '--commands', 'config,inventory']);
  t.equal(tickle.code, 0, tickle.stdout + tickle.stderr);
  t.match(tickle.stdout, /tickle: 30 sent .*delivered 30/);

  const res = await fetch(`${api}/tickle`, { method: 'POST', headers: adminHeaders({ 'content-type': 'application/json' }),
    body: JSON.stringify({ ips: ['127.1.0.1', '127.1.0.2'], commands: ['config'] }) });
  t.equal(res.status, 200);
  t.match(await res.json(), { tcp: { sent: 2, outcomes: { delivered: 2 } } });
  const bad = await fetch(`${api}/tickle`, { method: 'POST', headers: adminHeaders({ 'content-type': 'application/json' }), body: JSON.stringify({ commands: ['reboot'] }) });
  t.equal(bad.status, 400);

  // The Task Server of `up`: its agents hold 50124 links, and a task reaches all of them.
  const [, tsPage] = await up.line(/task server\s+(http:\/\/\S+)\/Altiris\/ClientTaskServer\//);
  const nsBase = api!.replace(/\/Altiris\/Console\/api$/, '');
  await waitUntil(async () => /connected="30"/.test(await (await fetch(`${tsPage}/Altiris/ClientTaskServer/GetComputerCount.aspx`)).text()),
    'the fleet holding 30 links on 50124', 30_000, 100);
  const run = await runSmpLab(['task', 'run', '--ns', nsBase, '--all', '--script', 'echo from up']);
  t.equal(run.code, 0, run.stderr);
  await waitUntil(async () => {
    const s = await runSmpLab(['task', 'status', run.stdout.trim(), '--ns', nsBase, '--format', 'json']);
    return s.code === 0 && (JSON.parse(s.stdout) as { counts: { completed: number } }).counts.completed === 30;
  }, 'the task completed on all 30 agents', 30_000, 200);

  t.equal(await up.stop('SIGINT', 20_000), 0, up.output().stderr);
  t.match(up.output().stdout, /smp-lab up: stopped/);
  const report = JSON.parse(readFileSync(join(dir, 'reports', 'report.json'), 'utf8')) as { inbound: { acted: Record<string, number> } };
  t.equal(report.inbound.acted['tcp'], 32, 'the fleet acted on every tickle');
  t.ok(existsSync(join(dir, 'logs', 'ns.log')));
});

t.test('smp-lab up --duration stops by itself, with agents and without', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smp-up-duration-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const agents of ['2', '0']) {
    const started = Date.now();
    const r = await runSmpLab(['up', '--agents', agents, '--duration', '2s', '--port-offset', '13000', '--ramp', '0', '--progress', 'none',
      '--state-dir', join(dir, 'state'), '--data-dir', join(dir, `ns-${agents}`), '--cert-dir', join(dir, 'certs'), '--log-dir', join(dir, 'logs'),
      '--report-dir', join(dir, 'reports'), '--key-pool', '2'], { timeoutMs: 60_000 });
    t.equal(r.code, 0, `--agents ${agents}: ${r.stderr}`);
    t.match(r.stdout, /smp-lab up: stopped/);
    t.ok(Date.now() - started >= 2000, `--agents ${agents}: ran for the duration`);
  }
});
