// `node dist/tools/lab-podman.js up|down|status [PROJECT]`: compose.yaml's training lab run with plain podman,
// for hosts whose podman-compose cannot (Debian bookworm's 1.0.3 drops ipam subnets and ipv4_address).
// The same runner the container test uses; settings are compose.yaml's SMP_LAB_* variables from the environment.
import { fileURLToPath } from 'node:url';
import { ComposeLab } from './compose-lab.js';
import { findEngine } from './container-engine.js';

const [action, project = 'smp-lab'] = process.argv.slice(2);
const fail = (line: string): never => {
  process.stderr.write(`lab-podman: ${line}\n`);
  process.exit(2);
};
if (action !== 'up' && action !== 'down' && action !== 'status') fail('usage: node dist/tools/lab-podman.js up|down|status [PROJECT]');
const engine = await findEngine();
if (engine?.kind !== 'podman') fail('podman cannot run containers here (apt-get install podman runc); with docker use docker compose');
const vars = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] =>
  e[0].startsWith('SMP_LAB_') && e[1] !== undefined));
const lab = new ComposeLab({ engine: engine!, file: fileURLToPath(new URL('../../compose.yaml', import.meta.url)), project, vars });
if (action === 'up') {
  try {
    await lab.up();
  } catch (err) {
    await lab.down();
    fail(`${(err as Error).message.split('\n')[0]} (everything made was removed)`);
  }
  process.stdout.write(`lab-podman: ${project} is up; containers ${project}_router, _ns, _ts, _ps, _agents\n`);
} else if (action === 'down') {
  const failed = await lab.down();
  if (failed.length > 0) fail(`teardown left: ${failed.join('; ')}`);
  process.stdout.write(`lab-podman: ${project} removed\n`);
} else {
  process.stdout.write(`${(await lab.leftovers()).join('\n') || `lab-podman: nothing of ${project}`}\n`);
}
