// Benchmark of the NS hot paths against a bare fastify hello world, in the same run on the same
// machine, driven by autocannon (64 keep-alive connections): GetClientPolicies for registered
// agents (full answer and unchanged-hash short answer) and PostEvent (durable, SQLite on disk).
// Each server runs in its own process; prints requests/s, p50/p99 and the ratio to bare fastify.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { encodeClientPoliciesPost, decodeClientPoliciesResponse } from '../shared/protocol/client-policies.js';
import { decodeCreateResourceResponse, encodeCreateResourceRequest } from '../shared/protocol/create-resource.js';
import { encodeNse } from '../shared/protocol/nse.js';
import { policyKeyFromJwk } from '../shared/protocol/policy-key.js';
import { startTarget, type Target } from './ns-target-process.js';

const DURATION = Number(process.argv[2] ?? 10);
const AGENTS = 256;
const CONNECTIONS = 64;
const TYPE = '493435F7-3B17-4C4C-B07F-C23E7AB7781F';
const XML = { 'content-type': 'application/xml', 'cache-control': 'max-age=0' };

const stopTarget = (t: Target): Promise<void> => new Promise((resolve) => {
  t.child.once('exit', () => resolve());
  t.child.stdin.end();
});

async function post(port: number, path: string, body: string, headers: Record<string, string> = {}): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { ...XML, ...headers }, body });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${text}`);
  return text;
}

interface Row { name: string; rps: number; p50: number; p99: number; errors: number; non2xx: number; cpuUsPerReq: number }

/** CPU seconds (user + system) a process has used, from /proc (Linux); NaN elsewhere. */
async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

async function load(name: string, target: Target, requests: autocannon.Request[], seconds = DURATION): Promise<Row> {
  const cpu0 = await cpuSeconds(target.child.pid!);
  const r = await autocannon({ url: `http://127.0.0.1:${target.port}`, connections: CONNECTIONS, pipelining: 1, duration: seconds, requests });
  const cpu = (await cpuSeconds(target.child.pid!)) - cpu0;
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx, cpuUsPerReq: (cpu * 1e6) / Math.max(1, r.requests.total) };
}

/** Requests that go round the registered agents, one body a request. */
function rotating(path: string, bodies: string[], headers: (i: number) => Record<string, string>): autocannon.Request[] {
  let i = 0;
  return [{
    method: 'POST', path,
    setupRequest: (req) => {
      const k = i++ % bodies.length;
      return { ...req, body: bodies[k], headers: { ...XML, ...headers(k) } };
    },
  }];
}

const dataDir = await mkdtemp(join(tmpdir(), 'smp-lab-bench-ns-'));
const ns = await startTarget(['ns', dataDir]);
let bare: Target | null = null;
let raw: Target | null = null;
try {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const policyKey = policyKeyFromJwk(publicKey.export({ format: 'jwk' }));
  const guids: string[] = [];
  for (let i = 0; i < AGENTS; i += 1) {
    const name = `BENCH-${i}`;
    const body = encodeCreateResourceRequest({ guid: null, name, policyKey, regRequest: { guid: null, state: 'new' },
      keys: [{ type: 'name.domain', value: `${name}.LAB` }], rekeySignature: null });
    guids.push(decodeCreateResourceResponse(await post(ns.port, '/Altiris/NS/Agent/CreateResource.aspx', body)).guid);
  }
  const policyBody = (g: string, hash: string | null) => encodeClientPoliciesPost({ guid: g, typeGuid: TYPE, configVersion: '2', secured: false, compress: false, hash, wrkstaName: null });
  const firstText = await post(ns.port, '/Altiris/NS/Agent/GetClientPolicies.aspx', policyBody(guids[0]!, null), { 'x-sma-id': guids[0]! });
  const hash = decodeClientPoliciesResponse(firstText).hash;
  bare = await startTarget(['bare', '', String(Buffer.byteLength(firstText))]);
  raw = await startTarget(['raw', '', String(Buffer.byteLength(firstText))]);
  const nse = (g: string, i: number) => encodeNse({ to: '{1592B913-72F3-4C36-91D2-D4EDA21D2F96}', priority: 1, msgId: null, kind: 'inventory', inventory: {
    resources: [{ ref: '0', typeGuid: TYPE, name: `BENCH-${i}`, guid: g }],
    classes: [{ id: '{9ED606E2-8080-4D39-A394-E2CD07D4C8FF}', rows: [{ resourceRef: '0', columns: [`BENCH-${i}`, 'LAB', `bench-${i}.lab.local`] }] }],
  } });

  // Warm both servers (JIT, caches) before measuring.
  await load('warm-up bare', bare, [{ method: 'GET', path: '/' }], 2);
  await load('warm-up ns', ns, rotating('/Altiris/NS/Agent/GetClientPolicies.aspx', guids.map((g) => policyBody(g, null)), (k) => ({ 'x-sma-id': guids[k]! })), 2);

  const policiesPost = rotating('/Altiris/NS/Agent/GetClientPolicies.aspx', guids.map((g) => policyBody(g, null)), (k) => ({ 'x-sma-id': guids[k]! }));
  const eventsPost = rotating('/Altiris/NS/Agent/PostEvent.aspx', guids.map((g, i) => nse(g, i)), () => ({}));
  let n = 0;
  const registrations: autocannon.Request[] = [{
    method: 'POST', path: '/Altiris/NS/Agent/CreateResource.aspx',
    setupRequest: (req) => {
      const name = `BENCH-NEW-${n++}`;
      return { ...req, headers: XML, body: encodeCreateResourceRequest({ guid: null, name, policyKey, regRequest: { guid: null, state: 'new' },
        keys: [{ type: 'name.domain', value: `${name}.LAB` }], rekeySignature: null }) };
    },
  }];

  // Order: everything that leaves no work behind first; PostEvent and CreateResource last, because
  // the NS goes on processing the stored events in the background after that run.
  const ref1 = await load('bare fastify GET / (reference)', bare, [{ method: 'GET', path: '/' }]);
  const ceilPolicies = await load('ceiling: node:http, GetClientPolicies sizes', raw, policiesPost);
  const ceilEvents = await load('ceiling: node:http, PostEvent sizes', raw, eventsPost);
  const floorPolicies = await load('floor: bare POST, GetClientPolicies sizes', bare, policiesPost);
  const floorEvents = await load('floor: bare POST, PostEvent sizes', bare, eventsPost);
  const policies = await load('GetClientPolicies POST, full answer', ns, policiesPost);
  const unchanged = await load('GetClientPolicies POST, unchanged hash', ns,
    rotating('/Altiris/NS/Agent/GetClientPolicies.aspx', guids.map((g) => policyBody(g, hash)), (k) => ({ 'x-sma-id': guids[k]! })));
  const ref2 = await load('bare fastify GET / (reference, again)', bare, [{ method: 'GET', path: '/' }]);
  const events = await load('PostEvent.aspx inventory NSE (durable)', ns, eventsPost);
  const registered = await load('CreateResource.aspx, new computers', ns, registrations);
  const rows: Row[] = [ref1, ceilPolicies, ceilEvents, floorPolicies, floorEvents, policies, unchanged, ref2, events, registered];

  const ref = (ref1.rps + ref2.rps) / 2;
  console.log(`\nNS benchmark: ${CONNECTIONS} keep-alive connections, ${DURATION} s per run, ${AGENTS} registered agents, SQLite store on disk, access log on`);
  const refCpu = (ref1.cpuUsPerReq + ref2.cpuUsPerReq) / 2;
  console.log(`${'run'.padEnd(42)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'ratio'.padStart(6)} ${'CPU us/req'.padStart(11)} ${'CPU ratio'.padStart(10)} ${'errors'.padStart(7)}`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(42)} ${r.rps.toFixed(0).padStart(9)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${(r.rps / ref).toFixed(2).padStart(6)} ` +
      `${r.cpuUsPerReq.toFixed(0).padStart(11)} ${(refCpu / r.cpuUsPerReq).toFixed(2).padStart(10)} ${String(r.errors + r.non2xx).padStart(7)}`);
  }
  console.log('ratio = req/s against bare fastify GET /; CPU ratio = server CPU per request of bare fastify GET / over this run\'s');
  console.log('(less sensitive to other load). "floor" rows: bare fastify answering the same POST bodies with fixed bytes of the');
  console.log(`NS's answer sizes, i.e. the best any fastify POST endpoint reaches here. NS against its floor: GetClientPolicies ` +
    `${(policies.rps / floorPolicies.rps).toFixed(2)}, PostEvent ${(events.rps / floorEvents.rps).toFixed(2)}.`);
  console.log('"ceiling" rows: node:http alone (no framework, no work) reading the same bodies and answering fixed bytes of the');
  console.log(`same sizes: no node server doing anything can pass them. Ceiling over bare fastify GET /: GetClientPolicies ` +
    `${(ceilPolicies.rps / ref).toFixed(2)}, PostEvent ${(ceilEvents.rps / ref).toFixed(2)}.`);
  const checks: Array<[string, number, number]> = [
    ['GetClientPolicies (full answer) >= 0.8 x bare', policies.rps / ref, 0.8],
    ['GetClientPolicies (unchanged hash) >= 0.8 x bare', unchanged.rps / ref, 0.8],
    ['PostEvent >= 0.5 x bare', events.rps / ref, 0.5],
  ];
  let failed = 0;
  for (const [label, got, want] of checks) {
    const ok = got >= want;
    if (!ok) failed += 1;
    console.log(`${ok ? 'PASS' : 'MISS'} ${label}: ${got.toFixed(2)}`);
  }
  const errs = rows.reduce((n, r) => n + r.errors + r.non2xx, 0);
  if (errs > 0) console.log(`WARNING: ${errs} errors or non-2xx answers during the runs`);
  process.exitCode = failed > 0 || errs > 0 ? 3 : 0;
} finally {
  await Promise.all([bare && stopTarget(bare), raw && stopTarget(raw), stopTarget(ns)]);
  await rm(dataDir, { recursive: true, force: true });
}
