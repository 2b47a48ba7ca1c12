// Drive the built `smp-lab` command as a user would: a child process, its output and exit code.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** What runs the CLI: node itself, or node behind a prefix such as `ip netns exec NAME` (which execs it). */
function command(args: readonly string[], prefix: readonly string[] = []): [string, string[]] {
  const full = [...prefix, process.execPath, CLI, ...args];
  return [full[0]!, full.slice(1)];
}

/** Runs `smp-lab ...args` to completion (with a deadline) and collects its output. */
export function runSmpLab(args: readonly string[], opts: { env?: Record<string, string>; input?: string; timeoutMs?: number; cwd?: string;
  prefix?: readonly string[]; } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = command(args, opts.prefix);
    const child = spawn(cmd, argv, {
      env: { ...process.env, ...opts.env }, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`smp-lab ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 30000} ms\n${stderr}`));
    }, opts.timeoutMs ?? 30000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Starts a long-running `smp-lab` verb; `line(re)` waits for a matching stdout line. */
export function startSmpLab(args: readonly string[], opts: { env?: Record<string, string>; cwd?: string; prefix?: readonly string[] } = {}) {
  const [cmd, argv] = command(args, opts.prefix);
  const child: ChildProcessWithoutNullStreams = spawn(cmd, argv, {
    env: { ...process.env, ...opts.env }, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const line = (re: RegExp, ms = 15000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const m = stdout.match(re);
        if (m) {
          cleanup();
          resolve(m);
        }
        return m !== null;
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error(`smp-lab exited before printing ${re}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no line matching ${re} within ${ms} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      }, ms);
      const cleanup = (): void => {
        clearTimeout(timer);
        child.stdout.off('data', check);
        child.off('exit', onExit);
      };
      if (!check()) {
        child.stdout.on('data', check);
        child.on('exit', onExit);
      }
    });
  const stop = (signal: NodeJS.Signals = 'SIGINT', ms = 10000): Promise<number | null> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      child.kill(signal);
    });
  return { child, line, stop, output: () => ({ stdout, stderr }) };
}

/** Runs a verb in this process (fast, for output-only verbs); same result shape as runSmpLab. */
export async function runInProcess(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const { runCli } = await import('../../cli/run.js');
  const { PassThrough } = await import('node:stream');
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  err.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await runCli(args, { stdout: out, stderr: err, env, signal: new AbortController().signal }, 'test');
  return { code, stdout, stderr };
}
