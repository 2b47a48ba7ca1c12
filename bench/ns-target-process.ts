// Starts bench/ns-target.js (an NS, a bare fastify or a raw node:http target) in its own process and
// resolves with the port it printed, so a benchmark's load generator never shares the target's event loop.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const TARGET = fileURLToPath(new URL('./ns-target.js', import.meta.url));

export interface Target { port: number; child: ChildProcessByStdio<Writable, Readable, null> }

/** `args` as bench/ns-target.ts reads them, e.g. `['ns', dataDir]` or `['bare', '', '512']`. */
export function startTarget(args: readonly string[]): Promise<Target> {
  const child = spawn(process.execPath, [TARGET, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ port: (JSON.parse(line) as { port: number }).port, child });
    });
    child.once('exit', (code) => reject(new Error(`target ${args.join(' ')} exited with ${code}`)));
  });
}
