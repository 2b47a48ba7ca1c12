// The 50124 channel under faults the agent cannot cause on purpose: an unexpected exception while a
// link is handled closes that link (logged, counted as `internal`) instead of crashing the TS, and the
// flood counter is the link's own window, so a sweep that runs late never refuses a polite agent.
import t from 'tap';
import { encodeChannelMessage, MSG, TASK_CHANNEL } from '../../../shared/protocol/task-channel.js';
import { rawPeer } from '../../helpers/raw-frames.js';
import { startTaskLab } from '../../helpers/task-lab.js';
import { waitUntil } from '../../helpers/wait.js';

const guid = (i: number): string => `22222222-0000-4000-8000-${i.toString().padStart(12, '0')}`;

t.test('an unexpected exception on a link closes it and counts internal; the TS keeps serving', async (t) => {
  const lab = await startTaskLab({ waitLink: false });
  t.teardown(() => lab.close());
  const port = lab.tsAddr.channel.port;
  const registry = lab.ts.registry;
  const register = registry.register.bind(registry);
  registry.register = (g, n, a) => {
    if (g.toUpperCase().endsWith('000000000666')) throw new TypeError('boom');
    return register(g, n, a);
  };
  const bad = await rawPeer(TASK_CHANNEL, port);
  bad.write(encodeChannelMessage({ type: 'hello', guid: guid(666), name: 'BAD' }));
  await bad.waitClosed();
  const m = await lab.ts.metrics.rejects.get();
  t.ok(m.values.some((v) => v.labels['reason'] === 'internal' && v.value > 0), 'counted as internal');
  const good = await rawPeer(TASK_CHANNEL, port);
  t.teardown(() => good.socket.destroy());
  good.write(encodeChannelMessage({ type: 'hello', guid: guid(1), name: 'GOOD' }));
  await good.waitFrame(MSG.ACK);
  t.pass('the next agent is served');
});

t.test('a late sweep does not leave the flood counter full', async (t) => {
  const keepAliveMs = 200; // sweep every 100 ms
  const lab = await startTaskLab({ waitLink: false, ts: { keepAliveMs, maxFramesPerInterval: 6 } });
  t.teardown(() => lab.close());
  const p = await rawPeer(TASK_CHANNEL, lab.tsAddr.channel.port);
  t.teardown(() => p.socket.destroy());
  p.write(encodeChannelMessage({ type: 'hello', guid: guid(2), name: 'POLITE' }));
  await p.waitFrame(MSG.ACK);
  const echoes = (): number => p.frames.filter((f) => f.type === MSG.KEEPALIVE).length;
  for (let round = 0; round < 4; round++) {
    const before = echoes();
    for (let i = 0; i < 5; i++) p.write(encodeChannelMessage({ type: 'keepalive', seq: i }));
    await waitUntil(() => echoes() >= before + 5 || p.closed(), 'keep-alive echoes');
    t.notOk(p.closed(), `round ${round}: five frames in a window are not a flood`);
    // Busy this process past two sweep periods: the next sweep runs late (and skips its checks).
    const until = Date.now() + keepAliveMs * 1.5;
    while (Date.now() < until) { /* block the event loop on purpose */ }
  }
});
