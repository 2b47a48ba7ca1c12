// WAL checkpoints run in the worker thread, not on the NS connection: with the NS connection's
// autocheckpoint off, committed events still reach the database file.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { openStore } from '../../../server/ns/store/index.js';
import { waitUntil } from '../../helpers/wait.js';

t.test('the checkpoint worker moves committed pages into the database file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smp-lab-ckpt-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = openStore({ kind: 'sqlite', dataDir: dir });
  t.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), 0, 'the NS connection does not checkpoint');
  const before = statSync(store.path).size;
  const body = Buffer.alloc(4096, 0x61);
  await Promise.all(Array.from({ length: 200 }, () => store.events.append({
    queue: 'fast', page: 'PostEvent.aspx', clientIp: '127.0.0.1', to: null, msgId: null, resourceGuid: null, body,
  })));
  await waitUntil(() => store.checkpoints() >= 1 && statSync(store.path).size > before + 200 * 4096,
    'a checkpoint by the worker that brings the events into the database file', 10_000);
  t.pass(`${store.checkpoints()} checkpoints by the worker; database file ${statSync(store.path).size} bytes`);
  await store.close();
});
