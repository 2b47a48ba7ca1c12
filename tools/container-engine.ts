// The container engine of this machine for lab-podman, the container tests and bench:containers: rootful podman
// (with the runtime flags Debian's podman needs on hosts without CAP_SYS_RESOURCE and with hybrid
// cgroups), else a docker client whose daemon answers, else none (the caller skips and says so).
import { spawn } from 'node:child_process';

export interface Engine {
  readonly kind: 'podman' | 'docker';
  /** Executable and the arguments that go before every subcommand. */
  readonly argv: readonly string[];
}

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const PODMAN: Engine = { kind: 'podman', argv: ['podman', '--runtime', 'runc', '--cgroup-manager', 'cgroupfs'] };
export const DOCKER: Engine = { kind: 'docker', argv: ['docker'] };

/** Runs a command to completion with a deadline; never throws for a non-zero exit. */
export function run(argv: readonly string[], opts: { timeoutMs?: number; env?: Record<string, string>; cwd?: string } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd!, args, { env: { ...process.env, ...opts.env }, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${opts.timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}${err.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `engine ...args`; throws with the command and its stderr when it fails. */
export async function engineRun(engine: Engine, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const r = await run([...engine.argv, ...args], { timeoutMs });
  if (r.code !== 0) throw new Error(`${engine.kind} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** Podman when it runs containers here, else docker when its daemon answers, else null. */
export async function findEngine(): Promise<Engine | null> {
  const podman = await run([...PODMAN.argv, 'info', '--format', '{{.Host.OCIRuntime.Name}}'], { timeoutMs: 30_000 });
  if (podman.code === 0) return PODMAN;
  if ((await run([...DOCKER.argv, 'info', '--format', '{{.ServerVersion}}'], { timeoutMs: 30_000 })).code === 0) return DOCKER;
  return null;
}
