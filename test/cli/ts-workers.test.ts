// `smp-lab ts --workers 2` as a user runs it: agents found through the NS spread over both worker
// processes, every one is told of a task and its status reaches the NS; the client cap holds across
// workers; HTTPS with the lab CA (curl --cacert, agents over https); large scripts fetched with
// GetTaskItems; a killed worker is replaced and its agents come back; Ctrl-C stops every process.
import t from 'tap';
import { adminHeaders } from '../helpers/console-credentials.js';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TaskAgentPool } from '../../agent/tasks/task-agent-pool.js';
import { encodeChannelMessage, CHANNEL_ERROR, MSG, TASK_CHANNEL, decodeChannelMessage } from '../../shared/protocol/task-channel.js';
import { startSmpLab } from '../helpers/cli.js';
import { freePorts } from '../helpers/free-port.js';
import { startTestNs } from '../helpers/ns.js';
import { rawPeer } from '../helpers/raw-frames.js';
import { decodeRemotingMessage, encodeRemotingMessage, REMOTING_MSG, REMOTING_QUERY, TS_REMOTING } from '../../shared/protocol/ts-remoting.js';
import { quietLog } from '../helpers/task-lab.js';
import { waitUntil } from '../helpers/wait.js';

const run = promisify(execFile);
const AGENTS = 24;
const CAP = 30;
const guid = (i: number): string => `44444444-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const attrs = (xml: string): Record<string, string> => Object.fromEntries([...xml.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));

interface TaskView { counts: Record<string, number>; done: boolean }

const workerPids = async (pid: number): Promise<number[]> => {
  const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(pid)]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
};

t.test('ts --workers 2: spread, fan-out, cap across workers, HTTPS, GetTaskItems, crash and Ctrl-C', async (t) => {
  const ns = await startTestNs({ store: 'memory', logger: quietLog, tasks: { reconnectMs: 300, pollIntervalMs: 60_000 } });
  t.teardown(() => ns.close());
  const certs = mkdtempSync(join(tmpdir(), 'smp-ts-certs-'));
  t.teardown(() => rmSync(certs, { recursive: true, force: true }));
  const [http, https, channel, r1, r2] = await freePorts(5);
  const ts = startSmpLab(['ts', '--ns', ns.http, '--workers', '2', '--max-clients', String(CAP), '--certs', certs, '--agent-scheme', 'https',
    '--log-level', 'error', '--name', 'ts-w.lab.local', '--port', `ts-http=${http}`, '--port', `ts-https=${https}`,
    '--port', `ts-agent-channel=${channel}`, '--port', `ts-remoting-1=${r1}`, '--port', `ts-remoting-2=${r2}`]);
  let stopped = false;
  t.teardown(() => (stopped ? undefined : ts.stop('SIGKILL')));
  const ready = await ts.line(/ts ready: .* https=https:\/\/127\.0\.0\.1:(\d+) channel=127\.0\.0\.1:(\d+) .* workers=2/, 30_000);
  t.equal(Number(ready[2]), channel, 'the workers share the 50124 port');
  const tsPid = ts.child.pid!;
  t.equal((await workerPids(tsPid)).length, 2, 'two worker processes');

  // HTTPS with the lab CA made in --certs: curl verifies the chain.
  const ca = join(certs, 'ca.pem');
  const curl = await run('curl', ['-sS', '--fail', '--cacert', ca, `https://127.0.0.1:${https}/Altiris/ClientTaskServer/GetServerStatus.aspx`]);
  t.match(curl.stdout, /<serverStatus [^>]*workers="2"/, 'curl --cacert the lab CA reaches the pages over HTTPS');
  const s = await run('openssl', ['s_client', '-connect', `127.0.0.1:${https}`, '-CAfile', ca, '-verify_return_error', '-brief'], { timeout: 10_000 })
    .catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
  t.match(s.stderr, /Verification: OK/, 'openssl s_client verifies the TS certificate against the lab CA');

  // Agents (over https, trusting the lab CA) find the TS through the NS and spread over both workers.
  const pool = new TaskAgentPool({ nsUrl: ns.http, log: quietLog, tickMs: 20, ca: readFileSync(ca) });
  t.teardown(() => pool.close());
  await pool.start();
  for (let i = 0; i < AGENTS; i++) pool.add({ guid: guid(i + 1), name: `WK-${i + 1}`, ip: `127.1.7.${i + 1}` });
  await waitUntil(() => pool.counts().connected === AGENTS, `${AGENTS} agents connected`, 15_000);
  t.match(pool.serverOf(guid(1))?.url ?? '', /^https:/, 'the NS gave agents the HTTPS pages URL');
  const status = async (): Promise<Record<string, string>> =>
    attrs((await run('curl', ['-sS', '--cacert', ca, `https://127.0.0.1:${https}/Altiris/ClientTaskServer/GetServerStatus.aspx`])).stdout);
  const spread = await waitUntil(async () => {
    const st = await status();
    return st['connected'] === String(AGENTS) ? st : null;
  }, 'the primary to count every link', 5000);
  const perWorker = spread['workerLinks']!.split(',').map((p) => Number(p.split(':')[1]));
  t.equal(perWorker.length, 2);
  t.ok(perWorker.every((n) => n > 0), `links spread over both workers (${spread['workerLinks']})`);

  // A task for all: every agent is told over its worker's link, runs it, the NS gets every status.
  const told = new Set<string>();
  pool.on('work', (g) => told.add(g));
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => (await (await fetch(`${ns.http}/Altiris/Console/api${path}`, {
    method, headers: adminHeaders(body ? { 'content-type': 'application/json' } : {}), ...(body ? { body: JSON.stringify(body) } : {}) })).json()) as T;
  await waitUntil(async () => (await api<{ taskServers: { clients: number }[] }>('GET', '/task-servers')).taskServers[0]?.clients === AGENTS, 'client count at the NS', 5000);
  const task = await api<{ id: string; expected: number }>('POST', '/tasks', { targets: 'all', script: 'echo from a worker\nexit 0' });
  t.equal(task.expected, AGENTS);
  const view = await waitUntil(async () => {
    const v = await api<TaskView>('GET', `/tasks/${task.id}`);
    return v.done ? v : null;
  }, 'every status at the NS', 15_000);
  t.equal(view.counts['completed'], AGENTS, 'every agent completed');
  t.equal(told.size, AGENTS, 'every agent was told (work waiting) by the worker holding its link');

  // A large script is listed without its body; the agents fetch it with GetTaskItems.aspx.
  const fetched = new Set<string>();
  pool.on('items', (g) => fetched.add(g));
  const big = await api<{ id: string }>('POST', '/tasks', { targets: [guid(1), guid(2), guid(3)], script: `echo big\n${'rem padding\n'.repeat(150)}exit 0` });
  await waitUntil(async () => (await api<TaskView>('GET', `/tasks/${big.id}`)).done, 'the large-script task done', 15_000);
  t.equal(fetched.size, 3, 'each target fetched the script with GetTaskItems');
  const metrics = (await run('curl', ['-sS', `http://127.0.0.1:${http}/metrics`])).stdout;
  t.match(metrics, /smp_ts_http_requests_total\{endpoint="GetTaskItems",outcome="ok"\} 3/, '/metrics sums the workers');

  // The cap counts clients across workers: 6 more registrations fit, the rest are refused.
  const outcomes = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
    const r = await fetch(`http://127.0.0.1:${http}/Altiris/ClientTaskServer/Register.aspx?ResourceGuid=${guid(100 + i)}`,
      { method: 'POST', headers: { connection: 'close' } });
    return [r.status, await r.text()] as const;
  }));
  t.equal(outcomes.filter(([st]) => st === 200).length, CAP - AGENTS, 'registrations up to the cap succeed');
  t.equal(outcomes.filter(([st, body]) => st === 503 && /maximum number of registered clients \(30\)/.test(body)).length, 10 - (CAP - AGENTS),
    'the rest get the Register cap error');
  const peer = await rawPeer(TASK_CHANNEL, channel!);
  peer.write(encodeChannelMessage({ type: 'hello', guid: guid(200), name: 'ONE-TOO-MANY' }));
  await peer.waitClosed(5000);
  const err = peer.frames.find((f) => f.type === MSG.ERROR);
  const m = err ? decodeChannelMessage(err) : undefined;
  t.equal(m?.type === 'error' ? m.code : undefined, CHANNEL_ERROR.CAPACITY, 'a hello beyond the cap gets ERROR 6 from whichever worker took it');
  const counts = attrs((await run('curl', ['-sS', `http://127.0.0.1:${http}/Altiris/ClientTaskServer/GetComputerCount.aspx`])).stdout);
  t.same([counts['registered'], counts['max']], [String(CAP), String(CAP)], 'GetComputerCount answers for the whole TS');

  // 50122 (loopback, in the primary) counts for the whole TS too.
  const remote = await rawPeer(TS_REMOTING, r2!);
  remote.write(encodeRemotingMessage({ type: 'query', what: REMOTING_QUERY.COMPUTER_COUNT }));
  const reply = decodeRemotingMessage(await remote.waitFrame(REMOTING_MSG.REPLY));
  t.match(reply.type === 'reply' ? JSON.parse(reply.json) : {}, { registered: CAP, max: CAP }, '50122 answers for the whole TS');
  remote.socket.destroy();

  // A second link of the same agent replaces the first, whichever workers the two landed in.
  const registered = guid(100 + outcomes.findIndex(([st]) => st === 200));
  const first = await rawPeer(TASK_CHANNEL, channel!);
  first.write(encodeChannelMessage({ type: 'hello', guid: registered, name: 'TWICE' }));
  await first.waitFrame(MSG.ACK);
  const second = await rawPeer(TASK_CHANNEL, channel!);
  second.write(encodeChannelMessage({ type: 'hello', guid: registered, name: 'TWICE' }));
  await second.waitFrame(MSG.ACK);
  await first.waitClosed(5000);
  const replaced = first.frames.find((f) => f.type === MSG.ERROR);
  const rm = replaced ? decodeChannelMessage(replaced) : undefined;
  t.equal(rm?.type === 'error' ? rm.code : undefined, CHANNEL_ERROR.REPLACED, 'the older link gets ERROR 9 (replaced)');
  second.socket.destroy();

  // A worker killed: logged, replaced, and its agents reconnect (after the NS's reconnect delay).
  const [victim] = await workerPids(tsPid);
  process.kill(victim!, 'SIGKILL');
  await waitUntil(async () => {
    const pids = await workerPids(tsPid);
    return pids.length === 2 && !pids.includes(victim!);
  }, 'a replacement worker', 10_000);
  await waitUntil(async () => {
    const st = await status();
    return st['connected'] === String(AGENTS) && st['workers'] === '2';
  }, 'every agent connected again and the replacement serving', 15_000);
  t.match(ts.output().stderr, /"signal":"SIGKILL".*"task server worker exited; its agents reconnect/, 'the crash is logged');

  // Ctrl-C: the primary stops its workers and exits 0.
  const pids = await workerPids(tsPid);
  const code = await ts.stop('SIGINT');
  stopped = true;
  t.equal(code, 0, 'exit code 0');
  t.match(ts.output().stdout, /ts stopped/);
  t.ok(pids.every((p) => { try { process.kill(p, 0); return false; } catch { return true; } }), 'no worker left running');
});
