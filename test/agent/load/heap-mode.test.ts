// The simulator's heap choice: `auto` picks the lean heap only for large fleets per process, explicit
// modes are kept whatever the size.
import t from 'tap';
import { LEAN_HEAP_FROM, resolveHeapMode } from '../../../agent/load/heap-mode.js';

t.test('auto is fast below LEAN_HEAP_FROM agents per process and lean from it', async (t) => {
  t.equal(LEAN_HEAP_FROM, 50_000);
  t.equal(resolveHeapMode('auto', 20_000), 'fast', 'a 20,000-agent registration run keeps the fast heap');
  t.equal(resolveHeapMode('auto', LEAN_HEAP_FROM - 1), 'fast');
  t.equal(resolveHeapMode('auto', LEAN_HEAP_FROM), 'lean');
  t.equal(resolveHeapMode('auto', 100_000), 'lean', 'the 100,000-agent memory target keeps the lean heap');
  t.equal(resolveHeapMode('lean', 10), 'lean');
  t.equal(resolveHeapMode('fast', 100_000), 'fast');
});
