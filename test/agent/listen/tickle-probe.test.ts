// The fleet's tickle listener answers a firewall probe's handshake (`smp-lab probe --role ns` toward an
// agent's address), so a probe from the NS side passes against simulated agents as against `respond`;
// an address outside the fleet still resets, and the handshake tickles nobody.
import t from 'tap';
import { FleetIdentities } from '../../../agent/fleet/identity.js';
import { InboundCounters } from '../../../agent/listen/inbound.js';
import { TickleListener } from '../../../agent/listen/tickle-listener.js';
import { probeTcpFlow } from '../../../firewall/probe/tcp-probes.js';
import { resolvePorts } from '../../../shared/ports.js';
import { fleetSink } from '../../helpers/fleet-sink.js';

const COUNT = 4;
const ids = new FleetIdentities({ seed: 'tickle-probe', ipBase: '127.1.0.1' });

t.test('a probe handshake to an agent address passes; outside the fleet it does not', async (t) => {
  let tickled = 0;
  const sink = fleetSink(ids, COUNT, { isAwake: () => true, onTickle: () => { tickled++; }, onWake: () => undefined });
  const tcp = new TickleListener({ host: '0.0.0.0', port: 0, sink, counters: new InboundCounters() });
  const { port } = await tcp.listen();
  t.teardown(() => tcp.close());
  const flow = resolvePorts().flow('ns-tickle');
  const inside = await probeTcpFlow(flow, port, { peer: ids.ip(2), timeoutMs: 3000 });
  t.equal(inside.status, 'pass', inside.reason);
  t.match(inside.reason, /smp-tickle for agent/);
  const outside = await probeTcpFlow(flow, port, { peer: ids.ip(COUNT + 3), timeoutMs: 3000 });
  t.not(outside.status, 'pass', `outside the fleet: ${outside.reason}`);
  t.equal(tickled, 0, 'a probe is not a tickle');
});
