// `smp-lab agents --workers N` as a user runs it against a real NS: disjoint shards over worker
// processes (no duplicate registration), live merged Prometheus metrics in the parent, a tickle routed
// to the worker owning the agent, one merged report that agrees with the NS's /metrics and is written
// after Ctrl-C; a worker killed mid-run makes the exit code a tool error instead of a hang.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadReport } from '../../../agent/load/report.js';
import { sendTickle } from '../../../server/ns/tickle/tcp-sender.js';
import { Command } from '../../../shared/protocol/tickle.js';
import { startSmpLab } from '../../helpers/cli.js';
import { freePorts } from '../../helpers/free-port.js';
import { startTestNs } from '../../helpers/ns.js';
import { waitUntil } from '../../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'smp-agents-workers-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const readReport = (p: string): LoadReport => JSON.parse(readFileSync(p, 'utf8')) as LoadReport;
const common = ['--progress', 'none', '--no-delivery', '--state-dir', join(dir, 'state'), '--key-pool', '2', '--log-level', 'silent', '--interval', '1s', '--ramp', '300ms'];

const series = (text: string, re: RegExp): number => {
  const m = re.exec(text);
  return m ? Number(m[1]) : -1;
};

t.test('300 agents over 3 workers: disjoint, merged metrics, routed tickle, report after Ctrl-C agrees with the NS', async (t) => {
  const ns = await startTestNs({ store: 'memory' });
  t.teardown(() => ns.close());
  const [tickle, wake] = await freePorts(2);
  const cli = startSmpLab(['agents', '--ns', ns.http, '--count', '300', '--workers', '3', '--seed', 'workers', '--metrics-port', '0',
    '--port', `ns-tickle=${tickle}`, '--port', `ns-multicast=${wake}`, '--report-dir', join(dir, 'run'), ...common]);
  t.teardown(() => cli.stop('SIGKILL'));
  const ready = (await cli.line(/agents ready: .*\n/, 20_000))[0];
  t.match(ready, /300 agents \(fleet 300, shard 0\/1, 127\.1\.0\.1\.\.127\.1\.1\.44\)/);
  t.match(ready, /3 worker processes \(--workers 3\), fast heap/);
  const metricsUrl = /metrics (http:\/\/\S+\/metrics)/.exec(ready)![1]!;
  const scrape = async (): Promise<string> => (await fetch(metricsUrl)).text();
  const text = await waitUntil(async () => {
    const m = await scrape();
    return series(m, /smp_agent_agents\{state="checked-in"\} (\d+)/) === 300 ? m : null;
  }, 'all 300 agents checked in (merged metrics)', 30_000, 200);
  t.equal(series(text, /smp_agent_workers\{state="running"\} (\d+)/), 3);
  t.equal(series(text, /smp_agent_requests_total\{endpoint="create-resource",outcome="ok"\} (\d+)/), 300, 'the merged series counts each registration once');
  t.notMatch(text, /guid|127\.1\./i, 'no series per agent');
  // Agent 150 lives in worker 1: the parent's listener finds it by its address and routes the tickle.
  t.equal(await sendTickle({ ip: '127.1.0.151' }, { serverName: 'SMP-LAB-NS', commands: Command.REQUEST_CONFIGURATION, port: tickle! }), 'delivered');
  await waitUntil(async () => series(await scrape(), /smp_agent_inbound_total\{kind="tcp",result="acted"\} (\d+)/) === 1, 'the tickle acted on', 10_000, 100);
  t.equal(await cli.stop('SIGINT', 20_000), 0, 'Ctrl-C: clean exit');
  const { stdout } = cli.output();
  t.match(stdout, /report: \S+report\.json/);
  const r = readReport(join(dir, 'run', 'report.json'));
  t.equal(r.aborted, true);
  t.equal(r.agents, 300);
  t.equal(r.inbound.acted['tcp'], 1);
  t.ok(existsSync(join(dir, 'run', 'report.html')) && existsSync(join(dir, 'run', 'report.shard.json')));
  const ep = (name: string) => r.endpoints.find((e) => e.endpoint === name)!;
  t.equal(ep('create-resource').ok, 300, 'one registration per agent');
  t.equal(ns.ns.store.resources.count(), 300, 'the NS holds 300 distinct resources: worker shards are disjoint');
  const nsText = await (await fetch(`${ns.http}/metrics`)).text();
  const served = (page: string): number => series(nsText, new RegExp(`smp_ns_http_requests_total\\{endpoint="/Altiris/NS/Agent/${page}",status="200"\\} (\\d+)`));
  t.equal(ep('create-resource').ok, served('CreateResource.aspx'), 'merged report agrees with the NS /metrics: CreateResource');
  t.equal(ep('post-event').ok, served('PostEvent.aspx'), 'merged report agrees with the NS /metrics: PostEvent');
  t.equal(ep('get-client-policies').ok, served('GetClientPolicies.aspx'), 'merged report agrees with the NS /metrics: GetClientPolicies');
  t.ok(ep('get-client-policies').ok > 300, 'agents kept checking in');
  t.equal(r.totals.errors, 0);
});

t.test('a killed worker is reported and the exit code is a tool error (1), with the report written', async (t) => {
  const ns = await startTestNs({ store: 'memory' });
  t.teardown(() => ns.close());
  const cli = startSmpLab(['agents', '--ns', ns.http, '--count', '60', '--workers', '2', '--seed', 'workers-kill', '--no-listen',
    '--report-dir', join(dir, 'kill'), ...common]);
  t.teardown(() => cli.stop('SIGKILL'));
  await cli.line(/agents ready: .*2 worker processes/, 20_000);
  const pid = cli.child.pid!;
  const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number).filter((n) => n > 0);
  t.equal(kids.length, 2, 'two worker processes');
  process.kill(kids[1]!, 'SIGKILL');
  const code = await new Promise<number | null>((resolve) => {
    if (cli.child.exitCode !== null) resolve(cli.child.exitCode);
    else cli.child.once('exit', (c) => resolve(c));
  });
  t.equal(code, 1, 'tool error');
  t.match(cli.output().stderr, /worker 1 \(agents 30\.\.59\) failed: killed by SIGKILL/);
  t.ok(existsSync(join(dir, 'kill', 'report.json')), 'the report is written anyway');
  t.equal(readReport(join(dir, 'kill', 'report.json')).agents, 60);
});
