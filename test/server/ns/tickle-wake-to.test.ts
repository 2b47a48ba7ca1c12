// The console's tickle API sends magic packets unicast to one agent's address (`wakeTo`), for agents on
// routable addresses behind a router; a bad `wakeTo` is a 400 naming the field. Real sockets on loopback.
import t from 'tap';
import { createSocket } from 'node:dgram';
import { decodeMagicPacket } from '../../../shared/protocol/magic-packet.js';
import { sendAdmin, startTestNs } from '../../helpers/ns.js';
import { quietLog } from '../../helpers/task-lab.js';
import { waitForEvent } from '../../helpers/wait.js';

t.test('wakeTo: magic packets to one address', async (t) => {
  const agent = createSocket('udp4');
  await new Promise<void>((resolve) => agent.bind(0, '127.0.0.9', () => resolve()));
  const ns = await startTestNs({ store: 'memory', logger: quietLog, tickle: { ticklePort: 1, wakePort: agent.address().port } });
  t.teardown(async () => { agent.close(); await ns.close(); });
  const post = (body: unknown) => sendAdmin(ns.http, '/Altiris/Console/api/tickle', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });

  const got = waitForEvent<[Buffer, { address: string }]>(agent, 'message', 5000);
  const r = await post({ macs: ['02-3C-00-00-00-2A'], wakeTo: '127.0.0.9' });
  t.equal(r.status, 200, r.text);
  t.same(JSON.parse(r.text), { magicPackets: 1 });
  const [msg, from] = await got;
  t.equal(decodeMagicPacket(msg).mac, '023C0000002A');
  t.match(from.address, /^127\./, 'sent from the address the route picked (no interface configured)');

  for (const bad of ['224.0.255.135', '10.62.0', 'ns.example', 42]) {
    const b = await post({ macs: ['02-3C-00-00-00-2A'], wakeTo: bad });
    t.equal(b.status, 400, `wakeTo ${JSON.stringify(bad)}`);
    t.match(b.text, /wakeTo must be a unicast IPv4 address/);
  }
});
