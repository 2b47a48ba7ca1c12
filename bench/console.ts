// Benchmark of the web console (issue 12): (1) with 100,000 computers in the store, one page of the
// Computers view (sorted, searched, filtered, deep offsets) in server time, against the plain
// /resources listing as the reference in the same run; (2) the feed's own CPU: per check-in counted
// and per interval with 10 consoles; (3) NS check-in throughput and CPU per check-in with 10 live
// consoles (WebSocket clients) against the same NS without them, runs alternated to share noise.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { WebSocket, WebSocketServer } from 'ws';
import { decodeCreateResourceResponse, encodeCreateResourceRequest } from '../shared/protocol/create-resource.js';
import { policyKeyFromJwk } from '../shared/protocol/policy-key.js';
import { ConsoleFeed } from '../server/ns/console-app/feed.js';
import { LiveBroadcaster } from '../server/ns/console-app/live.js';
import { createNotificationServer } from '../server/ns/server.js';
import { adminHeaders, TEST_CONSOLE_PASSWORD } from '../test/helpers/console-credentials.js';
import { startTarget } from './ns-target-process.js';

const COMPUTERS = 100_000;
const CONSOLES = 10;
const ROUNDS = 4;
/** `node dist/bench/console.js [seconds a run] [pages|feed|throughput]` */
const SECONDS = Number(process.argv[2] ?? 5);
const TYPE = '493435F7-3B17-4C4C-B07F-C23E7AB7781F';
const XML = { 'content-type': 'application/xml', 'cache-control': 'max-age=0' };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function pageTimes(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'smp-bench-console-'));
  const ns = await createNotificationServer({ httpPort: 0, store: 'sqlite', dataDir: dir, accessLog: { enabled: false },
    console: { password: TEST_CONSOLE_PASSWORD } });
  const a = await ns.listen();
  const base = `http://127.0.0.1:${a.http!.port}/Altiris/Console/api`;
  const seeded = Date.now();
  const { db } = ns.store;
  const insert = db.prepare(`INSERT INTO resources (guid, name, domain, fqdn, unique_id, type_guid, policy_key, state, created_at,
    updated_at, last_seen_at) VALUES (?, ?, 'lab.local', ?, NULL, ?, 'AAAA', ?, ?, ?, ?)`);
  const client = db.prepare('INSERT INTO resource_clients (guid, address, os, updated_at) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < COMPUTERS; i += 1) {
      const guid = `${i.toString(16).padStart(8, '0').toUpperCase()}-0000-4000-8000-${(i * 7919).toString(16).padStart(12, '0').toUpperCase()}`;
      const name = `${['WS', 'SRV', 'LNX', 'MAC'][i % 4]}-${String(i).padStart(6, '0')}`;
      const state = i % 50 === 0 ? 'blocked' : i % 7 === 0 ? 'pending' : 'allowed';
      insert.run(guid, name, `${name.toLowerCase()}.lab.local`, TYPE, state, seeded - i * 1000, seeded, seeded - ((i * 37) % 86_400) * 1000);
      client.run(guid, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, ['windows', 'linux', 'mac'][i % 3]!, seeded);
    }
  })();
  console.log(`seeded ${COMPUTERS.toLocaleString()} computers in ${Date.now() - seeded} ms`);
  const time = async (path: string): Promise<{ server: number; wall: number }> => {
    const servers: number[] = [];
    const walls: number[] = [];
    for (let i = 0; i < 15; i += 1) {
      const t0 = performance.now();
      const r = await fetch(base + path, { headers: adminHeaders() });
      const body = (await r.json()) as { serverMs?: number };
      if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`);
      walls.push(performance.now() - t0);
      servers.push(body.serverMs ?? NaN);
    }
    return { server: median(servers), wall: median(walls) };
  };
  const reference = await time('/resources?limit=50');
  console.log(`\nreference GET /resources?limit=50 (unsorted listing): ${reference.wall.toFixed(1)} ms round trip (median of 15)`);
  console.log('| Computers page (50 rows) | server ms (median) | round trip ms | ratio to reference |\n|---|---|---|---|');
  for (const q of ['sort=name', 'sort=name&dir=desc&offset=99950', 'sort=lastSeen&dir=desc', 'sort=state&offset=50000',
    'q=srv-0123&sort=name', 'q=10.1.2&sort=lastSeen&dir=desc', 'state=pending&sort=name&offset=10000', 'q=lnx&state=allowed&sort=created&dir=desc']) {
    const r = await time(`/computers?${q}`);
    console.log(`| ${q} | ${r.server.toFixed(1)} | ${r.wall.toFixed(1)} | ${(r.wall / reference.wall).toFixed(2)} |`);
  }
  await ns.close();
  await rm(dir, { recursive: true, force: true });
}

/** CPU seconds (user + system) the NS process has used, from /proc (Linux). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function consoles(port: number, path = '/Altiris/Console/live'): Promise<{ close: () => void; messages: () => number }> {
  let messages = 0;
  const sockets = await Promise.all(Array.from({ length: CONSOLES }, () => new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: adminHeaders() });
    ws.on('message', () => (messages += 1));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  })));
  return { close: () => sockets.forEach((s) => s.close()), messages: () => messages };
}

async function throughput(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'smp-bench-console-ns-'));
  const target = await startTarget(['ns', dir]);
  const policyKey = policyKeyFromJwk(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }));
  const guids: string[] = [];
  for (let i = 0; i < 256; i += 1) {
    const body = encodeCreateResourceRequest({ guid: null, name: `BENCH-${i}`, policyKey, regRequest: { guid: null, state: 'new' },
      keys: [{ type: 'name.domain', value: `BENCH-${i}.LAB` }], rekeySignature: null });
    const r = await fetch(`http://127.0.0.1:${target.port}/Altiris/NS/Agent/CreateResource.aspx`, { method: 'POST', headers: XML, body });
    guids.push(decodeCreateResourceResponse(await r.text()).guid);
  }
  let k = 0;
  const requests: autocannon.Request[] = [{ method: 'GET', setupRequest: (req) => ({ ...req,
    path: `/Altiris/NS/Agent/GetClientPolicies.aspx?WrkstaGuid=${guids[k++ % guids.length]}&Hash=` }) }];
  const run = async (rate?: number) => {
    const cpu0 = await cpuSeconds(target.child.pid!);
    const r = await autocannon({ url: `http://127.0.0.1:${target.port}`, connections: 32, duration: SECONDS, requests,
      ...(rate ? { overallRate: rate } : {}) });
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`check-ins failed: ${r.non2xx} non-2xx, ${r.errors} errors`);
    const cpu = (await cpuSeconds(target.child.pid!)) - cpu0;
    return { rps: r.requests.average, p99: r.latency.p99, cpuUs: (cpu * 1e6) / Math.max(1, r.requests.total) };
  };
  await run(); // warm-up
  const rows: { consoles: number; rps: number; p99: number; cpuUs: number; messages: number }[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const n of [0, CONSOLES]) {
      const c = n > 0 ? await consoles(target.port) : null;
      const r = await run();
      rows.push({ consoles: n, ...r, messages: c?.messages() ?? 0 });
      c?.close();
    }
  }
  const at1000 = [await run(1000)];
  const c = await consoles(target.port);
  at1000.push(await run(1000));
  const got = c.messages();
  c.close();
  const mean = (n: number, k: 'rps' | 'cpuUs') => median(rows.filter((r) => r.consoles === n).map((r) => r[k]));
  console.log(`\nGetClientPolicies check-ins, 32 connections, ${SECONDS} s a run, runs alternated (${ROUNDS} each):`);
  console.log('| consoles | check-ins/s | p99 ms | NS CPU µs per check-in | feed messages received |\n|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.consoles} | ${r.rps.toFixed(0)} | ${r.p99} | ${r.cpuUs.toFixed(0)} | ${r.messages} |`);
  const ratio = mean(CONSOLES, 'rps') / mean(0, 'rps');
  const cost = mean(CONSOLES, 'cpuUs') / mean(0, 'cpuUs');
  console.log(`\nmedian throughput with ${CONSOLES} consoles / without: ${ratio.toFixed(3)}; `
    + `median NS CPU per check-in with / without: ${cost.toFixed(3)} (capacity change ${((1 / cost - 1) * 100).toFixed(1)} %)`);
  console.log(`at 1,000 check-ins/s: NS CPU ${at1000[0]!.cpuUs.toFixed(0)} µs per check-in without consoles, `
    + `${at1000[1]!.cpuUs.toFixed(0)} µs with ${CONSOLES} (${got} feed messages received); `
    + `p99 ${at1000[0]!.p99} / ${at1000[1]!.p99} ms`);
  target.child.stdin.end();
  await new Promise((resolve) => target.child.once('exit', resolve));
  await rm(dir, { recursive: true, force: true });
}

/**
 * The feed's own cost, without the machine's noise: ns per check-in counted, and CPU per interval
 * to build one message with full recent lists and send it to 10 consoles over real sockets.
 */
async function feedCost(): Promise<void> {
  const guids = Array.from({ length: 1024 }, (_, i) => `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`);
  const counting = new ConsoleFeed();
  const n = 10_000_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) counting.checkIn(guids[i & 1023]!);
  const perCheckIn = Number(process.hrtime.bigint() - t0) / n;

  const feed = new ConsoleFeed();
  const live = new LiveBroadcaster(feed, { intervalMs: 3_600_000, maxBufferedBytes: 64 * 1024, maxClients: 200 });
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (ws) => live.add(ws));
  await new Promise((resolve) => wss.once('listening', resolve));
  const browsers = await consoles((wss.address() as { port: number }).port, '/');
  const ticks = 2000;
  let cpu = 0;
  for (let i = 0; i < ticks; i += 1) {
    for (const g of guids.slice(0, 100)) {
      feed.checkIn(g);
      feed.registration(g, 'WS-000001', 'allowed');
      feed.taskStatus('11111111-0000-4000-8000-000000000000', g, 'completed');
    }
    const u0 = process.cpuUsage();
    live.tick();
    const u = process.cpuUsage(u0);
    cpu += u.user + u.system;
    // Let the consoles read, as browsers do between intervals.
    if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const perTick = cpu / ticks;
  console.log(`\nfeed cost: ${perCheckIn.toFixed(1)} ns per check-in counted; ${perTick.toFixed(0)} µs CPU per interval to `
    + `build a full message (100 names in each recent list) and send it to ${CONSOLES} consoles `
    + `(${browsers.messages()} messages received)`);
  console.log(`at one interval a second: ${(perTick / 1e4).toFixed(3)} % of one core; at 1,000 check-ins/s the counting adds `
    + `${(perCheckIn / 1000).toFixed(3)} ms a second`);
  browsers.close();
  live.close();
  wss.close();
}

const only = process.argv[3];
if (only === undefined || only === 'pages') await pageTimes();
if (only === undefined || only === 'feed') await feedCost();
if (only === undefined || only === 'throughput') await throughput();
