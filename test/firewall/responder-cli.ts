// Shared by the firewall CLI tests: a random port offset per test process, the CLI run without the
// test runner's per-process instrumentation, the probe run in-process, and a responder started as
// the real `smp-lab respond` that is never left running when it fails to get ready or to bind a port.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { runInProcess, runSmpLab, startSmpLab } from '../helpers/cli.js';
import { resolvePorts } from '../../shared/ports.js';
import type { ProbeResult } from '../../firewall/probe-status.js';

export const exec = promisify(execFile);
export const have = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
/**
 * One fixed offset per test file, so files that tap runs at the same time never share a port: every
 * catalog port moved by 11000 or 12000 stays out of the ephemeral range (32768-60999) and clear of the
 * other (and of the offsets 10000 and 13000 that the Task Server and `up` tests use); the test
 * `port offsets of the test files do not collide` checks it.
 */
export const FILE_OFFSETS: Readonly<Record<string, number>> = { 'respond-probe': 11000, 'respond-extras': 12000 };
const file = /(respond-[a-z]+)\.test\.js$/.exec(process.argv[1] ?? '')?.[1] ?? 'respond-probe';
export const OFFSET = FILE_OFFSETS[file] ?? 11000;
export const PORTS = ['--port-offset', String(OFFSET)];
export const map = resolvePorts({ offset: OFFSET });
export const port = (id: string): string => String(map.port(id));
/** Without the runner's per-process instrumentation every smp-lab process starts in a fraction of the time. */
const PLAIN_NODE = { NODE_OPTIONS: '' };

export const runSmpLabPlain = (args: string[], opts: { env?: Record<string, string> } = {}) =>
  runSmpLab(args, { ...opts, env: { ...PLAIN_NODE, ...opts.env } });
export const startSmpLabPlain = (args: string[]) => startSmpLab(args, { env: PLAIN_NODE });
/** The verb run in this process (no node start-up per probe); the responders still run as the CLI. */
export const runHere = (args: string[], opts: { env?: Record<string, string> } = {}) =>
  runInProcess(args, { PATH: process.env.PATH, ...opts.env });

export interface Report { rows: ProbeResult[]; summary: Record<string, number>; peer: string }
export const parse = (s: string): Report => JSON.parse(s) as Report;

/** A responder with every listener of its roles bound: one it could not bind fails the test, naming the port. */
export async function responder(args: string[]) {
  const r = startSmpLabPlain(['respond', '--bind', '127.0.0.1', ...PORTS, ...args]);
  try {
    await r.line(/^ready: .*$/m, 60000);
    const notBound = r.output().stdout.split('\n').filter((l) => l.startsWith('not bound'));
    if (notBound.length > 0) throw new Error(`respond could not bind every listener (another suite on these ports?):\n${notBound.join('\n')}`);
  } catch (err) {
    await r.stop('SIGKILL');
    throw err;
  }
  return r;
}
