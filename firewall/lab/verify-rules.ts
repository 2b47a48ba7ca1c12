// verify-rules: load a firewall ruleset on the router of a namespace lab, run `smp-lab respond` on
// both sides and `smp-lab probe` both ways (the real CLI, inside the namespaces), and return every
// flow's status. Probes only once the kernel shows every socket of both responders; a responder that
// cannot bind or that ends mid-run is an error, never a row. Removes everything it made, also on abort.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../../shared/catalog-types.js';
import { smpError } from '../../shared/errors.js';
import type { PortMap } from '../../shared/ports.js';
import { selectFlows } from '../probe/probe.js';
import type { ProbeResult } from '../probe-status.js';
import { checkListening, expectedSockets } from './listen-check.js';
import { createLab, LAB, run, type NetnsLab } from './netns.js';

export interface VerifyRulesOptions {
  readonly ruleset: { readonly kind: 'nft' | 'iptables'; readonly file: string };
  /** The smp-lab entry point (dist/cli/main.js) to run inside the namespaces. */
  readonly cliPath: string;
  readonly serverRoles: readonly Role[];
  readonly agentRoles: readonly Role[];
  /** --port-offset/--port... passed to respond and probe unchanged. */
  readonly passArgs: readonly string[];
  /** The port map those arguments give (what the responders must bind). */
  readonly map: PortMap;
  /** Extra arguments for the probes only (e.g. --ca FILE). */
  readonly probeArgs?: readonly string[];
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly flows?: readonly string[];
  readonly pathEnv?: string;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

export const AGENT_TO_SERVER = 'agent->server';
export const SERVER_TO_AGENT = 'server->agent';

function onPath(tool: string, pathEnv: string | undefined): boolean {
  return (pathEnv ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').some((dir) => {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why verify-rules cannot run here (exit code 2), or null. */
export function labUnavailable(kind: 'nft' | 'iptables', pathEnv: string | undefined): string | null {
  if (process.platform !== 'linux') return 'verify-rules needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'verify-rules needs root (it creates network namespaces); run it with sudo';
  for (const tool of ['ip', 'ss', kind === 'nft' ? 'nft' : 'iptables-restore']) {
    if (!onPath(tool, pathEnv)) return `verify-rules needs \`${tool}\` (Debian: ${tool === 'ip' || tool === 'ss' ? 'iproute2' : kind === 'nft' ? 'nftables' : 'iptables'})`;
  }
  return null;
}

export async function verifyRules(o: VerifyRulesOptions): Promise<ProbeResult[]> {
  const why = labUnavailable(o.ruleset.kind, o.pathEnv);
  if (why !== null) throw smpError('ENVIRONMENT', why);
  const lab = await createLab();
  const children: ChildProcess[] = [];
  const onAbort = (): void => {
    for (const c of children) c.kill('SIGKILL');
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    o.log?.(`lab: server ${LAB.server} (${lab.server}) -- router ${lab.router} -- agent ${LAB.agent} (${lab.agent})`);
    await loadRuleset(lab, o.ruleset);
    const sides = [{ ns: lab.server, roles: o.serverRoles, bind: LAB.server }, { ns: lab.agent, roles: o.agentRoles, bind: LAB.agent }]
      .map((s) => ({ ...s, sockets: expectedSockets(o.map, s.roles, s.bind) }));
    const responders = await Promise.all(sides.map((s) =>
      startResponder(s.ns, o, ['respond', '--role', s.roles.join(','), '--bind', s.bind, ...o.passArgs], children)));
    abortCheck(o.signal);
    // respond prints ready once every listener is bound; the kernel must show them before a probe may start.
    await Promise.all(sides.map((s) => checkListening(s.ns, s.sockets, 'reported ready')));
    const probe = (ns: string, roles: readonly Role[], peer: string, peerRoles: readonly Role[], direction: string): Promise<ProbeResult[]> =>
      runProbeIn(ns, o, ['probe', '--role', roles.join(','), '--peer', peer, '--peer-role', peerRoles.join(','), '--format', 'json',
        '--timeout', `${o.timeoutMs}ms`, '--concurrency', String(o.concurrency), ...(o.flows ? ['--flow', o.flows.join(',')] : []),
        ...o.passArgs, ...(o.probeArgs ?? [])],
      children, direction);
    o.log?.(`probing ${AGENT_TO_SERVER} and ${SERVER_TO_AGENT}`);
    // A direction with no selected flow is not probed (probe would call that a usage error).
    const some = (roles: readonly Role[], peerRoles: readonly Role[]): boolean =>
      selectFlows({ map: o.map, roles, peerRoles, ...(o.flows ? { flows: o.flows } : {}) }).length > 0;
    const probes = Promise.all([
      some(o.agentRoles, o.serverRoles) ? probe(lab.agent, o.agentRoles, LAB.server, o.serverRoles, AGENT_TO_SERVER) : [],
      some(o.serverRoles, o.agentRoles) ? probe(lab.server, o.serverRoles, LAB.agent, o.agentRoles, SERVER_TO_AGENT) : [],
    ]);
    probes.catch(() => undefined);
    let rows: ProbeResult[][];
    try {
      rows = await Promise.race([probes, ...responders.map((r) => r.ended)]);
    } catch (err) {
      abortCheck(o.signal);
      throw err;
    }
    abortCheck(o.signal);
    // A listener gone by now (none should be) would have turned rows into refusals the ruleset did not cause.
    await Promise.all(sides.map((s) => checkListening(s.ns, s.sockets, 'was still running after the probes')));
    return rows.flat();
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await Promise.all(children.map((c) => stopChild(c)));
    await lab.destroy();
  }
}

function abortCheck(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw smpError('INTERNAL', 'interrupted; the lab was removed');
}

async function loadRuleset(lab: NetnsLab, rs: VerifyRulesOptions['ruleset']): Promise<void> {
  if (rs.kind === 'nft') await run('ip', ['netns', 'exec', lab.router, 'nft', '-f', rs.file]);
  else await run('ip', ['netns', 'exec', lab.router, 'iptables-restore', rs.file]);
}

function spawnIn(ns: string, o: VerifyRulesOptions, args: readonly string[], children: ChildProcess[]): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, o.cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

interface LabResponder {
  /** Rejects when the responder ends after it was ready (it must outlive the probes). */
  readonly ended: Promise<never>;
}

/** Resolves once respond is ready with every listener bound; a listener it could not bind is an error. */
function startResponder(ns: string, o: VerifyRulesOptions, args: readonly string[], children: ChildProcess[]): Promise<LabResponder> {
  const child = spawnIn(ns, o, args, children);
  let out = '';
  let err = '';
  let ready = false;
  let endedEarly: (e: Error) => void = () => undefined;
  const ended = new Promise<never>((_resolve, reject) => {
    endedEarly = reject;
  });
  ended.catch(() => undefined);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(smpError('ENVIRONMENT', `respond in ${ns} did not get ready within 20 s\n${out}${err}`)), 20_000);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d.slice(0, 4000)));
    const onData = (d: string): void => {
      out += d.slice(0, 64 * 1024);
      const readyLine = /^ready: .*$/m.exec(out);
      if (readyLine) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        o.log?.(`${ns}: ${readyLine[0]}`);
        // In a fresh namespace every port is free: a listener that could not be bound is a fault of
        // the lab, and probing without it would report its flows refused by the ruleset.
        const notBound = out.split('\n').filter((x) => x.startsWith('not bound'));
        if (notBound.length > 0) {
          reject(smpError('ENVIRONMENT', `respond in ${ns} could not bind every listener: ${notBound.map((l) => l.replace(/\s+/g, ' ')).join('; ')}`));
          return;
        }
        ready = true;
        resolve({ ended });
      }
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const how = signal ?? `exit ${String(code)}`;
      const why = err.trim().slice(0, 500);
      if (ready) endedEarly(smpError('ENVIRONMENT', `respond in ${ns} ended (${how}) while the probes ran: ${why || 'no message'}`));
      else reject(smpError('ENVIRONMENT', `respond in ${ns} ended (${how}) before it was ready: ${why}`));
    });
  });
}

function runProbeIn(ns: string, o: VerifyRulesOptions, args: readonly string[], children: ChildProcess[], direction: string): Promise<ProbeResult[]> {
  const child = spawnIn(ns, o, args, children);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d.slice(0, 4000)));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      if (code !== 0 && code !== 1) {
        reject(smpError('ENVIRONMENT', `probe in ${ns} failed (exit ${String(code)}): ${err.trim().slice(0, 500)}`));
        return;
      }
      try {
        const doc = JSON.parse(out) as { rows: ProbeResult[] };
        resolve(doc.rows.map((r) => ({ ...r, direction })));
      } catch {
        reject(smpError('INTERNAL', `probe in ${ns} printed no JSON report: ${out.slice(0, 300)} ${err.slice(0, 300)}`));
      }
    });
  });
}

function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
    c.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    c.kill('SIGTERM');
  });
}
