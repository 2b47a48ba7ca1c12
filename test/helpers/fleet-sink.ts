// An InboundSink over the first `count` agents of a FleetIdentities, for listener tests: lookups
// answer -1 outside that range; what the agents do with tickles and wakes is the caller's.
import { parseMac, type FleetIdentities } from '../../agent/fleet/identity.js';
import type { InboundSink } from '../../agent/listen/inbound.js';

export function fleetSink(ids: FleetIdentities, count: number,
  act: Pick<InboundSink, 'isAwake' | 'onTickle' | 'onWake'>): InboundSink {
  const inRange = (i: number) => (i >= 0 && i < count ? i : -1);
  return {
    indexOfIp: (ip) => inRange(ids.indexOfIp(ip)),
    indexOfGuid: (g) => inRange(ids.indexOfGuid(g)),
    indexOfMac: (m) => inRange(ids.indexOfMac(parseMac(m) ?? Buffer.alloc(0))),
    forEachIndex: (fn) => { for (let i = 0; i < count; i++) fn(i); },
    trustedServer: () => 'NS-LAB',
    ...act,
  };
}
