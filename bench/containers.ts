// bench:containers: the image's size layer by layer, and the time from bringing up compose.yaml's lab
// (image already built) to N agents registered with the NS through the router; the reference, in the same
// run, is the same NS and N agents as plain processes on this host's loopback. Prints the ratio.
//   npm run bench:containers [-- AGENTS]   (SMP_LAB_IMAGE picks the image; default smp-lab:latest, built if absent)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolvePorts } from '../shared/ports.js';
import { ComposeLab, freeLabNets } from '../tools/compose-lab.js';
import { engineRun, findEngine, run } from '../tools/container-engine.js';
import { freePorts } from '../test/helpers/free-port.js';
import { startSmpLab } from '../test/helpers/cli.js';
import { waitUntil } from '../test/helpers/wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AGENTS = Number(process.argv[2] ?? 200);
const IMAGE = process.env['SMP_LAB_IMAGE'] ?? 'smp-lab:latest';

const PASSWORD = `bench-${process.pid}`;
// The console's lab account (the console work); ignored by an NS without console access control.
const AUTH = { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` };

async function registered(api: string): Promise<number> {
  const r = await fetch(`${api}/resources?limit=1`, { headers: AUTH }).catch(() => null);
  return r?.status === 200 ? ((await r.json()) as { total: number }).total : -1;
}

async function timeToRegistered(api: string, start: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await start();
  await waitUntil(async () => (await registered(api)) >= AGENTS, `${AGENTS} agents registered`, 300_000, 100);
  return (performance.now() - t0) / 1000;
}

const engine = await findEngine();
if (engine === null) {
  process.stderr.write('bench:containers: neither podman nor docker can run containers here\n');
  process.exit(2);
}
if ((await run([...engine.argv, 'image', 'exists', IMAGE])).code !== 0) {
  process.stderr.write(`bench:containers: building ${IMAGE} (docs/containers.md: base image, proxy CA)\n`);
  const ca = process.env['NODE_EXTRA_CA_CERTS'];
  const format = engine.kind === 'podman' ? ['--format', 'docker'] : [];
  const secret = ca ? ['--secret', `id=npmca,src=${ca}`] : [];
  await engineRun(engine, ['build', ...format, ...secret, '-t', IMAGE, ROOT], 20 * 60_000);
}

process.stdout.write(`image ${IMAGE}: layers (newest first)\n`);
const history = await engineRun(engine, ['history', '--no-trunc', '--format', '{{.Size}}\t{{.CreatedBy}}', IMAGE]);
for (const line of history.trim().split('\n')) {
  const [size, by] = line.split('\t');
  const what = (by ?? '').replace(/^\/bin\/sh -c (#\(nop\) )?/, '').replace(/:[0-9a-f]{64}/, '').replace(/\s+/g, ' ');
  process.stdout.write(`  ${(size ?? '').padStart(10)}  ${what.slice(0, 100)}\n`);
}
const bytes = Number((await engineRun(engine, ['image', 'inspect', '--format', '{{.Size}}', IMAGE])).trim());
process.stdout.write(`  total ${(bytes / 1e6).toFixed(1)} MB (target <= 300 MB)\n`);

// Reference: the NS and the fleet as processes on loopback.
const dir = mkdtempSync(join(tmpdir(), 'smp-bench-containers-'));
const [probe] = await freePorts(1);
const offset = 2_000 + ((probe ?? 0) % 10_000); // keeps ns-tickle (52028 + offset) under 65536
const ns = startSmpLab(['ns', '--port-offset', String(offset), '--store', 'memory', '--no-https'],
  { env: { SMP_LAB_CONSOLE_PASSWORD: PASSWORD } });
let agents: ReturnType<typeof startSmpLab> | undefined;
let hostSeconds: number;
try {
  const nsPort = resolvePorts({ offset }).port('ns-agent-http');
  hostSeconds = await timeToRegistered(`http://127.0.0.1:${nsPort}/Altiris/Console/api`, async () => {
    const [, http] = await ns.line(/ns ready http=(\S+)/, 30_000);
    agents = startSmpLab(['agents', '--ns', `http://${http}`, '--count', String(AGENTS), '--port-offset', String(offset),
      '--progress', 'none', '--state-dir', join(dir, 'state'), '--report-dir', join(dir, 'reports')]);
  });
} finally {
  await agents?.stop('SIGINT', 20_000);
  await ns.stop('SIGINT', 20_000);
}

const nets = await freeLabNets(engine, process.pid);
const [consolePort, httpsPort] = await freePorts(2);
const lab = new ComposeLab({ engine, file: join(ROOT, 'compose.yaml'), project: `smpbench${process.pid}`, vars: {
  SMP_LAB_IMAGE: IMAGE, SMP_LAB_SERVERS_NET: nets.servers, SMP_LAB_CLIENTS_NET: nets.clients,
  SMP_LAB_CONSOLE_PORT: String(consolePort), SMP_LAB_CONSOLE_HTTPS_PORT: String(httpsPort), SMP_LAB_AGENTS: String(AGENTS),
  SMP_LAB_CONSOLE_PASSWORD: PASSWORD,
} });
let labSeconds: number;
try {
  labSeconds = await timeToRegistered(`http://127.0.0.1:${consolePort}/Altiris/Console/api`, () => lab.up());
} finally {
  const failed = await lab.down();
  if (failed.length > 0) process.stderr.write(`bench:containers: teardown: ${failed.join('; ')}\n`);
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`compose lab up -> ${AGENTS} agents registered through the router: ${labSeconds.toFixed(1)} s`
  + ' (target <= 60 s)\n');
process.stdout.write(`reference, NS and fleet as processes on loopback:         ${hostSeconds.toFixed(1)} s\n`);
process.stdout.write(`ratio lab / reference: ${(labSeconds / hostSeconds).toFixed(2)}\n`);
