// The Pod of `smp-lab deploy kubernetes --format pod` runs under `podman kube play`: an NS and 20
// agents in one pod register over the pod's loopback; the pod is removed afterwards. Runs only where
// podman and the smp-lab image exist (SMP_LAB_TEST_IMAGE, default localhost/smp-lab:latest).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { DEFAULT_PORTS } from '../../shared/ports.js';
import { runInProcess } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';

const run = promisify(execFile);
const IMAGE = process.env['SMP_LAB_TEST_IMAGE'] ?? 'localhost/smp-lab:latest';
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

async function skipReason(): Promise<string | false> {
  if (!(await podman(['--version'])).ok) return 'podman is not installed: the pod spec is not played';
  if (!(await podman(['image', 'exists', IMAGE])).ok) {
    return `podman has no image ${IMAGE}: build the smp-lab image (Dockerfile) or name one with SMP_LAB_TEST_IMAGE`;
  }
  const help = await podman(['run', '--rm', '--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=1024:1024', IMAGE, 'agents', '--help']);
  if (!help.out.includes('--ns-wait')) {
    return `the image ${IMAGE} has an smp-lab without \`agents --ns-wait\` (built before deploy kubernetes): rebuild it`;
  }
  return false;
}

t.test(`podman kube play runs the lab pod: ${AGENTS} agents register with its NS`, { skip: await skipReason() }, async (t) => {
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
    '--image', IMAGE, '--duration', '10m', '--concurrency', '16', '--idle-sockets', '16']);
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
});
