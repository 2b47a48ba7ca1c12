// Options of the simulated fleet, shared by `smp-lab agents` and `smp-lab up`: identities, the
// lifecycle's pacing, transport trust, the inbound listeners, metrics and reports.
import { defineOptions } from '../../shared/config.js';

export const FLEET_RUN_OPTIONS = defineOptions({
  seed: { type: 'string', default: 'smp-lab', arg: 'S', help: 'fleet seed: the same seed is the same fleet (and the same registrations)' },
  ipBase: { type: 'address', default: '127.1.0.1', arg: 'IP', help: 'address of agent 0 (inside 127.0.0.0/8)' },
  shard: { type: 'string', arg: 'I/N', help: 'run only shard I of N (0-based); JOB_COMPLETION_INDEX/COUNT when unset' },
  interval: { type: 'duration', arg: 'DUR', help: 'configuration request interval (overrides the served policy)' },
  accelerate: { type: 'float', min: 0.001, max: 1e6, default: 1, arg: 'X', help: 'divide every interval and backoff by X' },
  jitter: { type: 'float', min: 0, max: 0.9, default: 0.1, arg: 'F', help: 'random +/- fraction on every interval' },
  concurrency: { type: 'int', min: 1, max: 15_000, default: 2000, arg: 'N', help: 'requests in flight at most, per process' },
  regRate: { type: 'float', min: 0.001, max: 1_000_000, arg: 'R', help: 'registrations (CreateResource) per second at most, whole fleet' },
  idleSockets: { type: 'int', min: 0, max: 1_000_000, default: 1000, arg: 'N', help: 'keep-alive connections kept open between requests, per process; agents past it hold no socket between check-ins' },
  heap: { type: 'enum', choices: ['auto', 'lean', 'fast'], default: 'auto', arg: 'MODE', help: 'V8 heap of the simulator: lean (about half the memory, about 1.4x CPU per request), fast, auto (lean from 20,000 agents per process)' },
  workers: { type: 'int', min: 0, max: 256, default: 0, arg: 'N', help: 'simulator processes, each a disjoint shard (0 = automatic: more than one only when the sockets exceed the descriptor limit)' },
  ca: { type: 'path', arg: 'FILE', help: 'PEM CA that signed the NS certificate (the lab CA)' },
  insecure: { type: 'bool', default: false, help: 'do not verify the NS certificate' },
  install: { type: 'bool', default: false, help: 'download the agent installer from NSCap first' },
  noDelivery: { type: 'bool', default: false, help: 'no software delivery (GetPackageInfo, snapshot, downloads): pure check-in load' },
  asleep: { type: 'float', min: 0, max: 1, default: 0, arg: 'F', help: 'fraction of agents that start asleep (wake them with `smp-lab wake`)' },
  trustedServer: { type: 'string', default: 'SMP-LAB-NS', arg: 'NAME', help: 'server name the agents accept tickles from' },
  hmacKey: { type: 'string', arg: 'KEY', help: 'accept only tickles signed with this shared key (smp-lab extension)' },
  interface: { type: 'address', default: '127.0.0.1', arg: 'IP', help: 'interface for the multicast group and relayed magic packets' },
  tickleHost: { type: 'address', default: '0.0.0.0', arg: 'IP', help: 'address of the fleet\'s tickle listener' },
  noListen: { type: 'bool', default: false, help: 'no tickle/wake listeners' },
  sourceAddress: { type: 'enum', choices: ['auto', 'on', 'off'], default: 'auto', arg: 'MODE', help: 'send from each agent\'s own address (auto: when the NS is on loopback)' },
  requestTimeout: { type: 'duration', default: '30s', arg: 'DUR', help: 'deadline of one request' },
  stateDir: { type: 'path', default: '.lab/agents', arg: 'DIR', help: 'where the fleet keeps its keys between runs' },
  keyPool: { type: 'int', min: 1, max: 4096, default: 16, arg: 'K', help: 'RSA-2048 policyKeys shared round-robin by the fleet' },
  progress: { type: 'enum', choices: ['auto', 'plain', 'none'], default: 'auto', arg: 'MODE', help: 'live progress: bar on a TTY, plain lines otherwise' },
});
