// What the delivery benchmarks share: a free loopback port, and `smp-lab ns` in its own process
// serving the lab package with a payload of the given size (memory store, no access log). Bench code
// only; never imported by the product.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export const freePort = (): Promise<number> => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});

/** Starts the NS on `port` with a `mib` MiB lab package; resolves with its stop function once ready. */
export async function startPackageNs(work: string, mib: number, port: number, tickleServerPort: number): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, [CLI, 'ns', '--port', `ns-agent-http=${port}`, '--no-https', '--store', 'memory', '--data', join(work, 'ns'),
    '--package-size', String(mib << 20), '--no-access-log', '--port', `ts-tickle-server=${tickleServerPort}`, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (/ns ready/.test(out)) resolve(); });
    child.once('exit', () => reject(new Error(`smp-lab ns exited: ${out}`)));
  });
  return () => new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); });
}
