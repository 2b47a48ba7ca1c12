// The Pod of `smp-lab deploy kubernetes --format pod` under `podman kube play`: an NS and 20 agents in
// one pod register over the pod's loopback; the pod and its volumes are removed afterwards. Run by
// test/e2e/containers.test.ts on the image it has just built (podman only).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { DEFAULT_PORTS } from '../../shared/ports.js';
import { runInProcess } from './cli.js';
import { waitUntil } from './wait.js';

const run = promisify(execFile);
const AGENTS = 20;
/** Debian's rootful podman on these machines needs runc and cgroupfs (hybrid cgroups). */
const GLOBAL = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'];

async function podman(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout, stderr } = await run('podman', [...GLOBAL, ...args], { env, timeout: 120_000, encoding: 'utf8' });
    return { ok: true, out: `${stdout}${stderr}` };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? e.message}` };
  }
}

/** Plays the lab Pod of `smp-lab deploy kubernetes --format pod` with `image` and waits for its agents. */
export async function playLabPod(t: Test, image: string): Promise<void> {
  // Not t.testdir(): tap removes that before later teardowns, and podman needs the files to tear down.
  const dir = mkdtempSync(join(tmpdir(), 'smp-lab-kube-'));
  const name = `smp-lab-kube-${process.pid}`;
  const pod = `${name}-lab`;
  // Explicit limits (containers.conf): no CAP_SYS_RESOURCE here, so podman must not try to raise them;
  // runc 1.1 fails the pod's infra container (catatonit) with a soft nofile below the hard one (EINVAL).
  const conf = join(dir, 'containers.conf');
  writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=1024:1024"]\n');
  const env = { ...process.env, CONTAINERS_CONF: conf };
  const yaml = await runInProcess(['deploy', 'kubernetes', '--format', 'pod', '--agents', String(AGENTS), '--name', name,
    '--image', image, '--duration', '10m', '--concurrency', '16', '--idle-sockets', '16']);
  t.equal(yaml.code, 0, yaml.stderr);
  const file = join(dir, 'pod.yaml');
  writeFileSync(file, yaml.stdout);
  t.teardown(async () => {
    const down = await podman(['kube', 'down', file], env);
    const rm = await podman(['pod', 'rm', '--force', '--ignore', pod], env);
    const volumes = [`${name}-data`, `${name}-reports`];
    for (const v of volumes) await podman(['volume', 'rm', '--force', v], env);
    rmSync(dir, { recursive: true, force: true });
    const left = await podman(['pod', 'exists', pod]);
    if (left.ok) throw new Error(`pod ${pod} is still there after teardown: ${down.out} ${rm.out}`);
    for (const v of volumes) if ((await podman(['volume', 'exists', v])).ok) throw new Error(`volume ${v} is still there after teardown`);
  });
  const played = await podman(['kube', 'play', file], env);
  t.ok(played.ok, `podman kube play: ${played.out}`);
  if (!played.ok) return;
  const script = 'fetch("http://127.0.0.1:" + process.argv[1] + "/metrics").then((r) => r.text()).then((s) => '
    + 'console.log((/^smp_ns_registered_agents (\\d+)/m.exec(s) ?? [0, 0])[1]))';
  const nsPort = String(DEFAULT_PORTS.port('ns-agent-http'));
  const registered = await waitUntil(async () => {
    const r = await podman(['exec', `${pod}-ns`, 'node', '-e', script, nsPort], env);
    const n = r.ok ? Number(r.out.trim()) : 0;
    return n >= AGENTS ? n : null;
  }, `${AGENTS} agents registered in pod ${pod}`, 180_000, 1000);
  t.equal(registered, AGENTS, 'every agent of the pod registered with the pod\'s NS');
  const logs = await podman(['logs', `${pod}-agents`], env);
  t.match(logs.out, new RegExp(`agents ready: ${AGENTS} agents`), 'the fleet container started its agents');
}
