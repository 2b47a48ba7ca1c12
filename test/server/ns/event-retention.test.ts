// Event retention: processed events past the count or age limit are purged on the schedule; events
// still queued are never purged; the limits come from the NS options (`ns --event-retain*`).
import t from 'tap';
import { agentKey } from '../../helpers/agent-key.js';
import { inventoryNse, register, XML } from '../../helpers/agent-requests.js';
import { send, startTestNs } from '../../helpers/ns.js';
import { waitUntil } from '../../helpers/wait.js';
import { decodeCreateResourceResponse } from '../../../shared/protocol/create-resource.js';

async function post(base: string, n: number): Promise<void> {
  const guid = decodeCreateResourceResponse((await register(base, { name: 'RET-1', policyKey: agentKey().policyKey })).text).guid;
  for (let i = 0; i < n; i++) {
    const r = await send(base, '/Altiris/NS/Agent/PostEvent.aspx', { headers: XML, body: inventoryNse(guid, 'RET-1') });
    if (r.status !== 200) throw new Error(r.text);
  }
}

t.test('count limit, on the schedule', async (t) => {
  const lab = await startTestNs({ events: { queueMax: 1000, drainIntervalMs: 20, drainBatch: 100, retainCount: 3, purgeEveryMs: 50 } });
  t.teardown(() => lab.close());
  await post(lab.http, 8);
  await waitUntil(() => lab.ns.store.events.count() <= 3, 'purged down to 3 events', 10_000);
  const left = lab.ns.store.events.list(0, 100);
  t.equal(left.length, 3);
  t.ok(left.every((e) => e.id > 5), `the newest are kept: ${left.map((e) => e.id).join(',')}`);
});

t.test('age limit; queued events are never purged', async (t) => {
  // drainIntervalMs 0: nothing is processed, so everything stays queued.
  const lab = await startTestNs({ events: { queueMax: 1000, drainIntervalMs: 0, drainBatch: 100, retainMs: 1, retainCount: 1, purgeEveryMs: 0 } });
  t.teardown(() => lab.close());
  await post(lab.http, 4);
  t.equal(lab.ns.store.events.purge(Date.now() + 1000, 1), 0, 'queued events stay');
  t.equal(lab.ns.store.events.count(), 4);
  lab.ns.store.events.mark(lab.ns.store.events.list(0, 2).map((e) => ({ id: e.id, queue: e.queue, state: 'processed' as const })));
  t.equal(lab.ns.store.events.purge(Date.now() + 1000, null), 2, 'processed events past the age go');
  t.equal(lab.ns.store.events.count(), 2);
});
