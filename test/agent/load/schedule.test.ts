// The fleet's one scheduler: due agents run in time order in bounded batches, and an agent moved to a
// later time while the batch runs (the registration pacer does this) never leaves a timer behind that
// would outlive stop() and keep the process from exiting.
import t from 'tap';
import { FleetSchedule } from '../../../agent/load/schedule.js';
import { waitUntil } from '../../helpers/wait.js';

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

t.test('due agents run in time order', async (t) => {
  const order: number[] = [];
  const s = new FleetSchedule(4, (i) => order.push(i));
  const now = performance.now();
  s.at(2, now + 3);
  s.at(0, now + 1);
  s.at(3, now + 2);
  s.at(1, now + 500);
  s.cancel(1);
  await waitUntil(() => order.length === 3, 'three agents ran', 2000);
  t.same(order, [0, 3, 2]);
  t.equal(s.pending, 0);
  s.stop();
});

t.test('agents re-scheduled during a batch leave no timer behind after stop()', async (t) => {
  const before = timers();
  const n = 5000; // more than one batch of 2000
  let ran = 0;
  const s: FleetSchedule = new FleetSchedule(n, (i) => {
    ran += 1;
    s.at(i, performance.now() + 86_400_000); // next in a day, as a paced or idle agent would be
  });
  const now = performance.now();
  for (let i = 0; i < n; i++) s.at(i, now);
  await waitUntil(() => ran === n, 'every agent ran once', 5000);
  t.equal(s.pending, n);
  s.stop();
  t.equal(timers(), before, 'no timer of the schedule is left armed');
});
