// Shared by the firewall CLI tests: a random port offset per test process, the CLI run without the
// test runner's per-process instrumentation, the probe run in-process, and a responder started as
// the real `smp-lab respond` that is never left running when it fails to get ready.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { runInProcess, runSmpLab, startSmpLab } from '../helpers/cli.js';
import { resolvePorts } from '../../shared/ports.js';
import type { ProbeResult } from '../../firewall/probe-status.js';

export const exec = promisify(execFile);
export const have = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
/** An offset that keeps every catalog port out of the ephemeral range and away from other test files. */
export const OFFSET = 11000 + Math.floor(Math.random() * 2500);
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

export async function responder(args: string[]) {
  const r = startSmpLabPlain(['respond', '--bind', '127.0.0.1', ...PORTS, ...args]);
  try {
    await r.line(/^ready: .*$/m, 60000);
  } catch (err) {
    await r.stop('SIGKILL');
    throw err;
  }
  return r;
}
