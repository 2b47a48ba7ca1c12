// A three-namespace lab for verify-rules: server side -- router -- agent side, joined by veth pairs
// created directly inside the namespaces (nothing appears in the host's namespace), addresses from a
// private range that exists only inside them. Tears down everything it made, also from an exit hook.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { smpError } from '../../shared/errors.js';

/** Lab addresses and interface names (documented in docs/firewall.md so rulesets can name them). */
export const LAB = {
  serverNet: '10.250.1.0/24', routerServer: '10.250.1.1', server: '10.250.1.2',
  agentNet: '10.250.2.0/24', routerAgent: '10.250.2.1', agent: '10.250.2.2',
  /** Router interfaces: toward the server side, toward the agent side. */
  routerServerIf: 'srv0', routerAgentIf: 'agt0', sideIf: 'eth0',
} as const;

export interface NetnsLab {
  readonly server: string;
  readonly router: string;
  readonly agent: string;
  destroy(): Promise<void>;
}

const live = new Set<string>();
let exitHookInstalled = false;
let counter = 0;

/** Runs a command to completion; rejects with its stderr on a non-zero exit. */
export function run(cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) => reject(smpError('ENVIRONMENT', `${cmd}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(out)
      : reject(smpError('ENVIRONMENT', `${cmd} ${args.join(' ')} failed (exit ${String(code)}): ${err.trim().slice(0, 500)}`))));
  });
}

function deleteSync(ns: string): void {
  killPidsSync(ns);
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  live.delete(ns);
}

function killPidsSync(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
  for (const pid of pids.split('\n').map(Number).filter((p) => Number.isInteger(p) && p > 1 && p !== process.pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when the process ends without running destroy() (uncaught error, second Ctrl-C).
  process.on('exit', () => {
    for (const ns of [...live]) deleteSync(ns);
  });
}

export async function createLab(): Promise<NetnsLab> {
  installExitHook();
  counter += 1;
  const tag = `${process.pid.toString(36)}${counter.toString(36)}${randomBytes(2).toString('hex')}`;
  const lab = { server: `smplab-s-${tag}`, router: `smplab-r-${tag}`, agent: `smplab-a-${tag}` };
  const made: string[] = [];
  const destroy = async (): Promise<void> => {
    for (const ns of made.reverse()) deleteSync(ns);
    made.length = 0;
  };
  try {
    for (const ns of [lab.server, lab.router, lab.agent]) {
      await run('ip', ['netns', 'add', ns]);
      made.push(ns);
      live.add(ns);
    }
    const r = lab.router;
    await run('ip', ['-n', r, 'link', 'add', LAB.routerServerIf, 'type', 'veth', 'peer', 'name', LAB.sideIf, 'netns', lab.server]);
    await run('ip', ['-n', r, 'link', 'add', LAB.routerAgentIf, 'type', 'veth', 'peer', 'name', LAB.sideIf, 'netns', lab.agent]);
    const batch = [
      [r, `addr add ${LAB.routerServer}/24 dev ${LAB.routerServerIf}`], [r, `addr add ${LAB.routerAgent}/24 dev ${LAB.routerAgentIf}`],
      [lab.server, `addr add ${LAB.server}/24 dev ${LAB.sideIf}`], [lab.agent, `addr add ${LAB.agent}/24 dev ${LAB.sideIf}`],
      [r, 'link set lo up'], [r, `link set ${LAB.routerServerIf} up`], [r, `link set ${LAB.routerAgentIf} up`],
      [lab.server, 'link set lo up'], [lab.server, `link set ${LAB.sideIf} up`],
      [lab.agent, 'link set lo up'], [lab.agent, `link set ${LAB.sideIf} up`],
      [lab.server, `route add default via ${LAB.routerServer}`], [lab.agent, `route add default via ${LAB.routerAgent}`],
    ];
    for (const [ns, cmd] of batch) await run('ip', ['-n', ns as string, ...(cmd as string).split(' ')]);
    await run('ip', ['netns', 'exec', r, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  } catch (err) {
    await destroy();
    throw err;
  }
  return { ...lab, destroy };
}

/** Which of these namespaces still exist (for tests: nothing may be left behind). */
export async function existingNamespaces(names: readonly string[]): Promise<string[]> {
  const out = await run('ip', ['netns', 'list']).catch(() => '');
  const present = new Set(out.split('\n').map((l) => l.split(' ')[0] ?? ''));
  return names.filter((n) => present.has(n));
}

/** The lab's namespace names as verify-rules logs them (`lab: server ... (smplab-s-TAG) -- ...`). */
export function labNamesIn(log: string): string[] {
  return [...new Set([...log.matchAll(/\bsmplab-[sra]-[a-z0-9]+\b/g)].map((m) => m[0]))];
}
