// A lab for agents on routable addresses (root, Linux): the NS in one network namespace, the agents on
// 10.62.0.0/16 (a local route on lo, once `makeAgentsLocal` ran) in another, a forwarding router between
// them (firewall/lab/netns.ts). Every admin-API call of a test or benchmark goes through `adminApi`: when the
// console asks for credentials, they are added there and nowhere else.
import { spawn } from 'node:child_process';
import { createLab, LAB, run, type NetnsLab } from '../../firewall/lab/netns.js';
import { DEFAULT_PORTS } from '../../shared/ports.js';
import { basicAuth } from './console-credentials.js';

export const AGENT_PREFIX = '10.62.0.0/16';
export const AGENT_BASE = '10.62.0.1';

export interface IpBaseLab extends NetnsLab {
  /** The NS's address in the server namespace; agents reach it only through the router. */
  readonly nsAddress: string;
  /** The NS's agent HTTP base URL. */
  readonly nsUrl: string;
}

/** The command prefix that runs a program inside namespace `ns` (`ip netns exec` execs it: same PID). */
export const inNs = (ns: string): string[] => ['ip', 'netns', 'exec', ns];

/** The three namespaces; the router and the NS side route the agents' subnet toward the agents' namespace. */
export async function createIpBaseLab(): Promise<IpBaseLab> {
  const lab = await createLab();
  try {
    await run('ip', ['-n', lab.router, 'route', 'add', AGENT_PREFIX, 'via', LAB.agent]);
    await run('ip', ['-n', lab.server, 'route', 'add', AGENT_PREFIX, 'via', LAB.routerServer]);
  } catch (err) {
    await lab.destroy();
    throw err;
  }
  return { ...lab, nsAddress: LAB.server, nsUrl: `http://${LAB.server}:${DEFAULT_PORTS.port('ns-agent-http')}` };
}

/** The recipe of docs/agents.md: the agents' namespace answers for the whole subnet. */
export async function makeAgentsLocal(lab: IpBaseLab): Promise<void> {
  await run('ip', ['-n', lab.agent, 'route', 'add', 'local', AGENT_PREFIX, 'dev', 'lo']);
}

// Runs inside the namespace: one fetch (the body from stdin: 10,000 addresses exceed an argument's limit),
// its status and body as one JSON line.
const FETCH_SCRIPT = `const [u, m, auth] = process.argv.slice(1);
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c)).on('end', () => {
  const b = Buffer.concat(chunks).toString();
  const headers = { ...(auth ? { authorization: auth } : {}), ...(b ? { 'content-type': 'application/json' } : {}) };
  fetch(u, { method: m, headers, ...(b ? { body: b } : {}) })
    .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, text: await r.text() })))
    .catch((e) => { process.stderr.write(String(e.cause ?? e)); process.exit(1); });
});`;

/** One HTTP request from inside namespace `ns` (the test process itself lives in the host's namespace). */
export function fetchIn(ns: string, url: string, method = 'GET', body?: unknown, authorization = ''):
  Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', FETCH_SCRIPT, url, method, authorization],
      { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolve(JSON.parse(out) as { status: number; text: string });
      const why = `exit ${String(code)}: ${err.trim().slice(0, 500)}`;
      reject(new Error(`${method} ${url} from namespace ${ns} failed (${why})`));
    });
    child.stdin.end(body === undefined ? '' : JSON.stringify(body));
  });
}

/** The NS's admin API (/Altiris/Console/api), from the NS's own namespace. */
export async function adminApi<T = unknown>(lab: IpBaseLab, method: string, path: string, body?: unknown)
  : Promise<{ status: number; json: T }> {
  const r = await fetchIn(lab.server, `${lab.nsUrl}/Altiris/Console/api${path}`, method, body, basicAuth());
  return { status: r.status, json: JSON.parse(r.text) as T };
}

/** A counter of new TCP connections forwarded to `port`, in the router's nftables (proves a flow crossed it). */
export async function countForwarded(lab: IpBaseLab, port: number): Promise<() => Promise<number>> {
  const nft = (...a: string[]) => run('ip', [...inNs(lab.router).slice(1), 'nft', ...a]);
  await nft('add', 'table', 'inet', 'smpipbase');
  await nft('add', 'chain', 'inet', 'smpipbase', 'tickles', '{ type filter hook forward priority 0 ; policy accept ; }');
  await nft('add', 'rule', 'inet', 'smpipbase', 'tickles', 'tcp', 'dport', String(port), 'ct', 'state', 'new', 'counter');
  return async () => {
    const out = await nft('list', 'chain', 'inet', 'smpipbase', 'tickles');
    const m = /counter packets (\d+)/.exec(out);
    return m ? Number(m[1]) : 0;
  };
}
