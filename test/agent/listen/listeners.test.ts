// The fleet's inbound side over real sockets: one TCP listener and one UDP socket serve every agent;
// tickles by TCP (found by local address), multicast (found by the lists), relay wake, and a magic
// packet sent by the stock `wakeonlan` tool. Untrusted and malformed input is counted, not obeyed.
import t from 'tap';
import { unlessHave } from '../../helpers/tools.js';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { FleetIdentities } from '../../../agent/fleet/identity.js';
import { InboundCounters, type InboundVia } from '../../../agent/listen/inbound.js';
import { TickleListener } from '../../../agent/listen/tickle-listener.js';
import { WakeSocket } from '../../../agent/listen/wake-socket.js';
import { TICKLE_MULTICAST_GROUP } from '../../../shared/catalog.js';
import { Command } from '../../../shared/protocol/tickle.js';
import { sendRelayWake, sendTickle, sendTickles } from '../../../server/ns/tickle/tcp-sender.js';
import { sendMagicPackets, sendMulticastTickle } from '../../../server/ns/tickle/udp-sender.js';
import { waitUntil } from '../../helpers/wait.js';
import { fleetSink } from '../../helpers/fleet-sink.js';

const COUNT = 300;
const ids = new FleetIdentities({ seed: 'listen-test', ipBase: '127.1.0.1' });

function makeSink() {
  const awake = new Uint8Array(COUNT).fill(1);
  const tickled = new Uint32Array(COUNT);
  const woken = new Uint32Array(COUNT);
  const events: Array<[number, number, InboundVia]> = [];
  const sink = fleetSink(ids, COUNT, {
    isAwake: (i) => awake[i] === 1,
    onTickle: (i, c, via) => { tickled[i]! += 1; events.push([i, c, via]); },
    onWake: (i) => { woken[i]! += 1; awake[i] = 1; },
  });
  return { sink, awake, tickled, woken, events };
}

t.test('fleet inbound over real sockets', async (t) => {
  const s = makeSink();
  const counters = new InboundCounters();
  const wake = new WakeSocket({ port: 0, group: TICKLE_MULTICAST_GROUP, interfaceAddress: '127.0.0.1', sink: s.sink, counters });
  const udp = await wake.listen();
  const tcp = new TickleListener({ host: '0.0.0.0', port: 0, sink: s.sink, counters, relayWake: (p) => wake.sendMagic(p) });
  const { port } = await tcp.listen();
  t.teardown(async () => { await tcp.close(); await wake.close(); });
  const opts = { serverName: 'NS-LAB', commands: Command.REQUEST_CONFIGURATION, port };

  await t.test('TCP tickle reaches the agent owning the address', async (t) => {
    t.equal(await sendTickle({ ip: ids.ip(7) }, opts), 'delivered');
    await waitUntil(() => s.tickled[7] === 1, 'agent 7 tickled');
    t.same(s.events.at(-1), [7, Command.REQUEST_CONFIGURATION, 'tcp']);
    const all = await sendTickles(Array.from({ length: COUNT }, (_, i) => ({ ip: ids.ip(i), guid: ids.guid(i) })), opts, 64);
    t.equal(all.outcomes.delivered, COUNT);
    await waitUntil(() => s.tickled.every((n, i) => n === (i === 7 ? 2 : 1)), 'every agent tickled once');
  });

  await t.test('untrusted server, wrong GUID, garbage and unknown addresses are dropped', async (t) => {
    const before = s.tickled[3]!;
    await sendTickle({ ip: ids.ip(3) }, { ...opts, serverName: 'EVIL-NS' });
    await sendTickle({ ip: ids.ip(3), guid: ids.guid(4) }, opts);
    t.equal(await sendTickle({ ip: ids.ip(COUNT + 5) }, opts), 'reset', 'an address outside the fleet is reset, not served');
    await new Promise<void>((resolve) => {
      const c = connect({ host: ids.ip(3), port }, () => c.end(Buffer.from('GET / HTTP/1.1\r\n\r\n')));
      c.on('close', () => resolve());
      c.on('error', () => resolve());
    });
    await waitUntil(() => counters.dropped['untrusted-server'] >= 1 && counters.dropped.malformed >= 1 && counters.dropped['unknown-agent'] >= 2, 'drops counted');
    t.equal(s.tickled[3], before);
  });

  await t.test('asleep agents reset TCP tickles; a magic packet from wakeonlan wakes them', { skip: unlessHave('wakeonlan') }, async (t) => {
    s.awake[9] = 0;
    t.equal(await sendTickle({ ip: ids.ip(9) }, opts), 'reset');
    const { stdout } = await promisify(execFile)('wakeonlan', ['-i', '127.0.0.1', '-p', String(udp.port), ids.mac(9).replace(/-/g, ':')]);
    t.match(stdout, /Sending magic packet/);
    await waitUntil(() => s.woken[9] === 1, 'agent 9 woken by wakeonlan');
    t.equal(s.awake[9], 1);
    t.equal(await sendTickle({ ip: ids.ip(9) }, opts), 'delivered');
  });

  await t.test('relay wake: an agent sends the magic packet to the group', async (t) => {
    s.awake[11] = 0;
    t.equal(await sendRelayWake(ids.ip(12), ids.mac(11), ids.guid(11), opts), 'delivered');
    await waitUntil(() => s.woken[11] === 1, 'agent 11 woken through relay 12');
    t.equal(counters.acted.relay, 1);
  });

  await t.test('multicast tickles act only on the listed agents', async (t) => {
    const before = Array.from(s.tickled);
    const n = await sendMulticastTickle({ ips: [ids.ip(20), ids.ip(21)], guids: [ids.guid(22)], macs: [ids.mac(23)] },
      { address: TICKLE_MULTICAST_GROUP, port: udp.port, serverName: 'NS-LAB', commands: Command.SEND_BASIC_INVENTORY, perDatagram: 1 });
    t.equal(n, 4);
    await waitUntil(() => [20, 21, 22, 23].every((i) => s.tickled[i] === before[i]! + 1), 'listed agents tickled');
    t.equal(s.tickled[24], before[24]);
    await sendMulticastTickle('all', { address: TICKLE_MULTICAST_GROUP, port: udp.port, serverName: 'NS-LAB', commands: 1 });
    await waitUntil(() => s.tickled.every((v, i) => v >= before[i]! + 1), 'all agents tickled');
  });

  await t.test('multicast wake and plain magic packets to the group', async () => {
    for (const i of [30, 31, 32]) s.awake[i] = 0;
    await sendMulticastTickle({ ips: [], guids: [], macs: [ids.mac(30), ids.mac(31)] },
      { address: TICKLE_MULTICAST_GROUP, port: udp.port, serverName: 'NS-LAB', commands: Command.WAKE });
    await sendMagicPackets([ids.mac(32)], { address: TICKLE_MULTICAST_GROUP, port: udp.port });
    await waitUntil(() => [30, 31, 32].every((i) => s.woken[i] === 1), 'woken by multicast');
  });
});
