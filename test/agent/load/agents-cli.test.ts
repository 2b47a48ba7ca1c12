// `smp-lab agents` as a user runs it: two shards of one fleet against a real NS, their reports, and
// `smp-lab report merge` whose numbers agree with what the NS itself stored; and a server that
// answers 5xx, malformed XML and resets: counted by kind, retried, never fatal, exit code 3.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadReport } from '../../../agent/load/report.js';
import { runSmpLab } from '../../helpers/cli.js';
import { startTestNs } from '../../helpers/ns.js';
import { freePorts } from '../../helpers/free-port.js';

const dir = mkdtempSync(join(tmpdir(), 'smp-agents-cli-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const readReport = (p: string): LoadReport => JSON.parse(readFileSync(p, 'utf8')) as LoadReport;
const common = ['--no-listen', '--progress', 'none', '--state-dir', join(dir, 'state'), '--key-pool', '2', '--log-level', 'silent'];

t.test('two shards, merged report agrees with the NS', async (t) => {
  const ns = await startTestNs({ store: 'memory' });
  t.teardown(() => ns.close());
  const run = (i: number) => runSmpLab(['agents', '--ns', ns.http, '--count', '160', '--seed', 'cli', '--shard', `${i}/2`,
    '--duration', '5s', '--ramp', '500ms', '--interval', '1s', '--report-dir', join(dir, 'shards'), ...common], { timeoutMs: 30_000 });
  const [a, b] = await Promise.all([run(0), run(1)]);
  t.equal(a.code, 0, a.stderr);
  t.equal(b.code, 0, b.stderr);
  t.match(a.stdout, /agents ready: 80 agents \(fleet 160, shard 0\/2, 127\.1\.0\.1\.\.127\.1\.0\.80\)/);
  t.match(b.stdout, /shard 1\/2, 127\.1\.0\.81\.\.127\.1\.0\.160/);
  const shard0 = readReport(join(dir, 'shards', 'shard-0-of-2.json'));
  t.ok(existsSync(join(dir, 'shards', 'shard-0-of-2.html')));
  t.equal(shard0.agents, 80);
  const merged = await runSmpLab(['report', 'merge', join(dir, 'shards', 'shard-0-of-2.shard.json'), join(dir, 'shards', 'shard-1-of-2.shard.json'),
    '--out', join(dir, 'merged'), '--max-error-rate', '0']);
  t.equal(merged.code, 0, merged.stderr);
  const r = readReport(join(dir, 'merged', 'report.json'));
  const ep = (name: string) => r.endpoints.find((e) => e.endpoint === name)!;
  t.equal(r.agents, 160);
  t.equal(ep('create-resource').ok, 160, 'every agent registered once');
  t.equal(ns.ns.store.resources.count(), 160, 'the NS holds 160 distinct resources (shards are disjoint)');
  t.equal(ep('post-event').ok, ns.ns.store.events.count(), 'events acknowledged = events the NS stored');
  const metrics = await (await fetch(`${ns.http}/metrics`)).text();
  const served = (page: string): number => Number(new RegExp(`smp_ns_http_requests_total\\{endpoint="/Altiris/NS/Agent/${page}",status="200"\\} (\\d+)`).exec(metrics)?.[1] ?? -1);
  t.equal(ep('create-resource').ok, served('CreateResource.aspx'), 'report agrees with the NS /metrics: CreateResource');
  t.equal(ep('post-event').ok, served('PostEvent.aspx'), 'report agrees with the NS /metrics: PostEvent');
  t.equal(ep('get-client-policies').ok, served('GetClientPolicies.aspx'), 'report agrees with the NS /metrics: GetClientPolicies');
  t.ok(ep('get-client-policies').ok > 0);
  t.equal(r.totals.errors, 0);
  const html = readFileSync(join(dir, 'merged', 'report.html'), 'utf8');
  t.match(html, /<svg/);
  t.notMatch(html, /<script|https?:\/\/(?!127)/, 'self-contained: no scripts, no external assets');
});

t.test('server errors and resets are counted, not fatal; the threshold fails the exit code', async (t) => {
  let n = 0;
  const bad = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const k = n++ % 3;
      if (k === 0) res.writeHead(500).end('<error code="SMP_ERR_INTERNAL"/>');
      else if (k === 1) res.writeHead(200, { 'content-type': 'text/xml' }).end('<resource guid="{oops');
      else req.socket.destroy();
    });
  });
  await new Promise<void>((resolve) => bad.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => { bad.closeAllConnections(); bad.close(() => resolve()); }));
  const port = (bad.address() as { port: number }).port;
  const r = await runSmpLab(['agents', '--ns', `http://127.0.0.1:${port}`, '--count', '40', '--duration', '3s', '--ramp', '0',
    '--accelerate', '20', '--report-dir', join(dir, 'bad'), '--max-error-rate', '0.05', ...common], { timeoutMs: 30_000 });
  t.equal(r.code, 3, `threshold exit code\n${r.stderr}`);
  t.match(r.stderr, /threshold failed: error rate/);
  const rep = readReport(join(dir, 'bad', 'report.json'));
  const errors = rep.endpoints.find((e) => e.endpoint === 'create-resource')!.errors;
  t.ok((errors['http-5xx'] ?? 0) > 0 && (errors['bad-xml'] ?? 0) > 0 && (errors['reset'] ?? 0) > 0, JSON.stringify(errors));
  t.ok(rep.totals.requests > 40, 'failed requests were retried');
  t.notOk(rep.thresholds.passed);
});

t.test('a bad flag is a usage error (exit 2), not a crash', async (t) => {
  const r = await runSmpLab(['agents', '--count', '0']);
  t.equal(r.code, 2);
});

t.test('a run in which no request succeeds fails (exit 3) unless --allow-no-success', async (t) => {
  // An NS that accepts connections (so the start-up reachability check passes) and fails every request.
  const failing = createServer((_req, res) => res.writeHead(503, { 'retry-after': '1' }).end());
  await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => failing.close(() => resolve())));
  const port = (failing.address() as AddressInfo).port;
  const args = ['agents', '--ns', `http://127.0.0.1:${port}`, '--count', '5', '--duration', '1s', '--ramp', '0', '--accelerate', '20',
    ...common];
  const r = await runSmpLab([...args, '--report-dir', join(dir, 'failing')], { timeoutMs: 30_000 });
  t.equal(r.code, 3, `exit 3\n${r.stderr}`);
  t.match(r.stderr, /threshold failed: none of \d+ requests succeeded/);
  const allowed = await runSmpLab([...args, '--allow-no-success', '--report-dir', join(dir, 'allowed')], { timeoutMs: 30_000 });
  t.equal(allowed.code, 0, allowed.stderr);
  // An NS nobody listens for is refused before any agent starts: one line, exit 2.
  const [dead] = await freePorts(1);
  const refused = await runSmpLab(['agents', '--ns', `http://127.0.0.1:${dead}`, '--count', '5', '--duration', '1s', ...common,
    '--report-dir', join(dir, 'dead')], { timeoutMs: 30_000 });
  t.equal(refused.code, 2, refused.stderr);
  t.match(refused.stderr, /^smp-lab agents: cannot reach the NS at .*ECONNREFUSED/);
});
