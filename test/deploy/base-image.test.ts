// deploy/base-image.sh's bad input: no engine, no mmdebstrap, an unknown argument. Each is one line naming
// the fix and exit 2, and nothing is built (the runs below never reach mmdebstrap or an import).
import t from 'tap';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../tools/container-engine.js';

const SCRIPT = fileURLToPath(new URL('../../../deploy/base-image.sh', import.meta.url));

/** A PATH holding only the named tools of this machine (the script's own bash comes by absolute path). */
function pathWith(t: { teardown(fn: () => void): void }, tools: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'smp-base-path-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, target] of Object.entries(tools)) symlinkSync(target, join(dir, name));
  return dir;
}

const lines = (stderr: string): number => stderr.trim().split('\n').length;

t.test('neither podman nor docker: one line naming the fix, exit 2', async (t) => {
  const r = await run(['/bin/bash', SCRIPT], { env: { PATH: pathWith(t, {}), SMP_LAB_ENGINE: '' } });
  t.equal(r.code, 2);
  t.match(r.stderr, /neither podman nor docker is installed: install one \(apt-get install podman\)/);
  t.equal(lines(r.stderr), 1, `one line: ${r.stderr}`);
});

t.test('an engine that is not installed, or not an engine', async (t) => {
  const missing = await run(['/bin/bash', SCRIPT, '--engine', 'docker'], { env: { PATH: pathWith(t, {}) } });
  t.equal(missing.code, 2);
  t.match(missing.stderr, /docker is not installed/);
  const bad = await run(['/bin/bash', SCRIPT, '--engine', 'lxc'], { env: { PATH: pathWith(t, {}) } });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--engine must be podman or docker, not 'lxc'/);
  t.equal(lines(bad.stderr), 1, `one line: ${bad.stderr}`);
});

t.test('no mmdebstrap: one line naming the package, exit 2', { skip: (await run(['podman', '--version'])).code === 0 ? false
  : 'needs podman to get past the engine check' }, async (t) => {
  const podman = (await run(['sh', '-c', 'command -v podman'])).stdout.trim();
  const r = await run(['/bin/bash', SCRIPT, '--force', '--image', `smp-lab-base-test:${process.pid}`],
    { env: { PATH: pathWith(t, { podman, mktemp: '/usr/bin/mktemp' }) } });
  t.equal(r.code, 2, r.stderr);
  t.match(r.stderr, /mmdebstrap is not installed: apt-get install mmdebstrap/);
  t.equal(lines(r.stderr), 1, `one line: ${r.stderr}`);
});

t.test('an unknown argument', async (t) => {
  const r = await run(['/bin/bash', SCRIPT, '--frobnicate']);
  t.equal(r.code, 2);
  t.match(r.stderr, /unknown argument '--frobnicate' \(try --help\)/);
});
