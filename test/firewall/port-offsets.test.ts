// The fixed port offsets of the test files that run catalog listeners on loopback at the same time
// must never put two listeners on one port (tap runs two files at once).
import t from 'tap';
import { CATALOG } from '../../shared/catalog.js';
import { FILE_OFFSETS } from './responder-cli.js';

const ports = (offset: number): Set<number> =>
  new Set(CATALOG.flatMap((f) => (f.port === null ? [] : [f.port + offset])));

t.test('port offsets of the test files do not collide', async (t) => {
  // The Task Server loopback test uses offset 10000, the `up` end-to-end test 13000.
  const offsets = [...Object.values(FILE_OFFSETS), 10000, 13000];
  for (const a of Object.values(FILE_OFFSETS)) {
    for (const p of ports(a)) t.ok(p <= 65535 && (p < 32768 || p > 60999), `offset ${a}: port ${p} is outside the ephemeral range`);
  }
  for (const [i, a] of offsets.entries()) {
    for (const b of offsets.slice(i + 1)) {
      const shared = [...ports(a)].filter((p) => ports(b).has(p));
      t.same(shared, [], `offsets ${a} and ${b} share no port`);
    }
  }
});
