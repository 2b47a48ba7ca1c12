// ICMP echo flows (package-server speed check, device discovery): Node has no raw sockets, so the
// probe runs the system `ping` once when there is one, and skips the flow (saying why) when not.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { failed, pass, refused, skipped, timedOut, type Verdict } from '../probe-status.js';

export function findPing(pathEnv: string | undefined): string | null {
  for (const dir of (pathEnv ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const p = join(dir, 'ping');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not in this directory
    }
  }
  return null;
}

export function probeIcmp(ping: string | null, peer: string, timeoutMs: number): Promise<Verdict> {
  if (ping === null) {
    return Promise.resolve(skipped('ICMP echo needs the `ping` command (Node has no raw ICMP sockets); install iputils-ping'));
  }
  const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  return new Promise((resolve) => {
    const child = spawn(ping, ['-n', '-c', '1', '-W', seconds, peer], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d.slice(0, 4096)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d.slice(0, 4096)));
    child.on('error', (err) => resolve(failed(`ping: ${err.message}`)));
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => /bytes from|Unreachable|Prohibited|not permitted/i.test(l))?.trim() ?? '';
      if (code === 0) resolve(pass(`echo reply: ${line}`));
      else if (/Unreachable|Prohibited/i.test(out)) resolve(refused(`ICMP error instead of an echo reply: ${line}`));
      else if (/Name or service not known|Temporary failure in name resolution|unknown host/i.test(out)) {
        resolve(failed(`cannot resolve ${peer}: ${out.trim().split('\n')[0] ?? ''}`));
      } else if (/not permitted|permission/i.test(out)) resolve(skipped(`ping is not permitted here: ${line}`));
      else resolve(timedOut(`no echo reply within ${seconds} s`));
    });
  });
}
