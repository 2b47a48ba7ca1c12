// Options shared by `smp-lab tickle` and `smp-lab wake`: who sends (server name, key, interface) and
// which agents are meant (explicit lists or a whole simulated fleet by seed and count).
import { defineOptions } from '../../shared/config.js';

export const SENDER_OPTIONS = defineOptions({
  serverName: { type: 'string', default: 'SMP-LAB-NS', arg: 'NAME', help: 'server name inside the message (agents drop names they do not trust)' },
  hmacKey: { type: 'string', arg: 'KEY', help: 'sign with HMAC-SHA256 under this shared key (smp-lab extension)', noEnv: false },
  interface: { type: 'address', arg: 'IP',
    help: 'interface and source address of multicast sends (TTL 1; default 127.0.0.1) and of unicast ones (default: the route\'s)' },
  seed: { type: 'string', default: 'smp-lab', arg: 'S', help: 'fleet seed for --fleet-count' },
  ipBase: { type: 'address', default: '127.1.0.1', arg: 'IP', help: 'address of agent 0 for --fleet-count (127.0.0.0/8 or routable)' },
  fleetCount: { type: 'int', min: 1, max: 1_000_000, arg: 'N', help: 'target every agent of a simulated fleet of N (with --seed)' },
});
