// The fleet's two inbound sockets, started together: UDP 52029 (wake and multicast tickles) and the
// TCP 52028 tickle listener, whose relayed wake-on-LAN requests leave through the wake socket.
// One process owns them for the whole fleet; messages go to `sink`, which finds the agent.
import type { InboundCounters, InboundSink } from './inbound.js';
import { TickleListener } from './tickle-listener.js';
import { WakeSocket } from './wake-socket.js';

export interface FleetInboundOptions {
  readonly tickleHost: string;
  readonly ticklePort: number;
  readonly wakePort: number;
  readonly wakeGroup: string;
  readonly interfaceAddress: string;
  readonly hmacKey?: Buffer;
}

export interface FleetInbound {
  readonly wakePort: number;
  readonly ticklePort: number;
  close(): Promise<void>;
}

export async function listenFleetInbound(o: FleetInboundOptions, sink: InboundSink, counters: InboundCounters): Promise<FleetInbound> {
  const hmac = o.hmacKey ? { hmacKey: o.hmacKey } : {};
  const wake = new WakeSocket({ port: o.wakePort, group: o.wakeGroup, interfaceAddress: o.interfaceAddress, sink, counters, ...hmac });
  const wakePort = (await wake.listen()).port;
  const tickle = new TickleListener({ host: o.tickleHost, port: o.ticklePort, sink, counters, relayWake: (p) => wake.sendMagic(p), ...hmac });
  let ticklePort: number;
  try {
    ticklePort = (await tickle.listen()).port;
  } catch (err) {
    await wake.close();
    throw err;
  }
  return { wakePort, ticklePort, close: async () => { await tickle.close(); await wake.close(); } };
}
