// The printed "try:" commands run as printed: `smp-lab` when it is on PATH, else `npx smp-lab`; the
// port options carry the run's per-flow overrides as well as its offset.
import t from 'tap';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandName, portArgs } from '../../cli/hints.js';

t.test('command name follows PATH', async (t) => {
  const dir = t.testdir();
  t.equal(commandName({ PATH: dir }), 'npx smp-lab', 'not on PATH: npx');
  t.equal(commandName({}), 'npx smp-lab');
  writeFileSync(join(dir, 'smp-lab'), '#!/bin/sh\n');
  chmodSync(join(dir, 'smp-lab'), 0o755);
  t.equal(commandName({ PATH: `/nonexistent:${dir}` }), 'smp-lab', 'on PATH: the bare name');
});

t.test('port options keep per-flow overrides', async (t) => {
  t.equal(portArgs(13000), ' --port-offset 13000');
  t.equal(portArgs(0, { 'ns-tickle': 40000, 'ns-multicast': 40001 }), ' --port-offset 0 --port ns-tickle=40000 --port ns-multicast=40001');
});
