// `smp-lab deploy kubernetes`: print the manifests of a lab of a given size (NS, TS, the fleet as an
// Indexed Job, the report merge) as YAML or JSON, or one Pod for `podman kube play`. Parsing and
// printing only; the objects and the sizing live in deploy/manifests.
import { COMMON_OPTIONS, PORT_OPTIONS, defineOptions, type ConfigOf } from '../../shared/config.js';
import { smpError } from '../../shared/errors.js';
import { defineVerb } from '../verb.js';
import { THRESHOLD_OPTIONS } from './load-options.js';

export const DEPLOY_OPTIONS = defineOptions({
  agentCount: { type: 'int', flag: 'agents', min: 1, max: 1_000_000, default: 100_000, arg: 'N',
    help: 'agents in the whole fleet' },
  shards: { type: 'int', min: 1, max: 100_000, arg: 'N',
    help: 'pods of the fleet\'s Indexed Job (default: one per 25,000 agents)' },
  parallelism: { type: 'int', min: 1, max: 100_000, arg: 'N',
    help: 'fleet pods running at once (default: all shards)' },
  ns: { type: 'url', arg: 'URL', help: 'NS the agents use (default: the generated NS Service)' },
  image: { type: 'string', default: 'smp-lab:latest', arg: 'IMG', help: 'image of every container' },
  namespace: { type: 'string', default: 'smp-lab', arg: 'NS', help: 'Kubernetes namespace of every object' },
  name: { type: 'string', default: 'smp-lab', arg: 'NAME',
    help: 'prefix of the object names, and the run\'s report directory' },
  format: { type: 'enum', choices: ['yaml', 'json', 'pod'], default: 'yaml', arg: 'FMT',
    help: 'yaml or json (a List) for a cluster; pod: one Pod (NS and agents) for `podman kube play`' },
  seed: { type: 'string', default: 'smp-lab', arg: 'S', help: 'fleet seed' },
  duration: { type: 'duration', default: '1h', arg: 'TIME',
    help: 'how long each fleet pod runs before it writes its report and ends' },
  concurrency: { type: 'int', min: 1, max: 15_000, default: 256, arg: 'N',
    help: 'requests in flight at most, per simulator process' },
  idleSockets: { type: 'int', min: 0, max: 1_000_000, default: 1000, arg: 'N',
    help: 'keep-alive connections kept between requests, per simulator process' },
  heap: { type: 'enum', choices: ['auto', 'lean', 'fast'], default: 'auto', arg: 'MODE',
    help: 'V8 heap of the simulators (sizes the memory)' },
  accelerate: { type: 'float', min: 0.001, max: 1e6, default: 1, arg: 'X', help: 'divide every agent interval by X' },
  regRate: { type: 'float', min: 0.001, max: 1_000_000, arg: 'R',
    help: 'registrations per second at most, whole fleet (divided among the shards)' },
  rate: { type: 'float', min: 0.001, max: 1_000_000, arg: 'R',
    help: 'open model: check-ins per second, whole fleet (divided among the shards)' },
  nsWait: { type: 'duration', default: '10m', arg: 'TIME',
    help: 'how long a fleet pod waits for the NS to accept connections' },
  nofile: { type: 'int', min: 1024, max: 1 << 30, default: 20_000, arg: 'N',
    help: 'open-file limit of a container: past it a pod runs --workers' },
  consolePassword: { type: 'string', arg: 'PW',
    help: 'print the console Secret with this password (else create the Secret yourself)' },
  noServers: { type: 'bool', default: false, help: 'no NS and TS: only the fleet, against --ns' },
  nsStorage: { type: 'string', default: '10Gi', arg: 'SIZE', help: 'size of the NS data volume' },
  reportsStorage: { type: 'string', default: '1Gi', arg: 'SIZE', help: 'size of the ReadWriteMany report volume' },
  storageClass: { type: 'string', arg: 'NAME', help: 'storage class of both volumes (default: the cluster\'s)' },
});

export type DeployConfig = ConfigOf<typeof DEPLOY_OPTIONS & typeof PORT_OPTIONS & typeof THRESHOLD_OPTIONS>;

export const deployVerb = defineVerb({
  name: 'deploy',
  summary: 'print Kubernetes manifests for a lab of N agents (NS, TS, fleet as an Indexed Job, report merge)',
  usage: 'kubernetes [options]',
  description: 'Prints to stdout; apply with `smp-lab deploy kubernetes ... | kubectl apply -f -`. '
    + 'Memory per fleet pod comes from measured figures (docs/kubernetes.md). Without --console-password '
    + 'the NS reads its password from the Secret <name>-console, key password, which you create. '
    + '--max-error-rate and --max-p99 are judged by the report merge Job, on the whole fleet.',
  options: { ...COMMON_OPTIONS, ...PORT_OPTIONS, ...DEPLOY_OPTIONS, ...THRESHOLD_OPTIONS },
  positionals: true,
  async run(config, positionals, ctx) {
    const [target, ...extra] = positionals;
    if (target !== 'kubernetes' || extra.length > 0) {
      const what = positionals.length === 0 ? 'no target' : `unknown target ${JSON.stringify(positionals.join(' '))}`;
      throw smpError('USAGE', `${what}; use: smp-lab deploy kubernetes [options]`);
    }
    const { renderDeployment } = await import('../../deploy/manifests/index.js');
    ctx.stdout.write(renderDeployment(requestOf(config)));
    return 0;
  },
});

/** The typed config as the generator's request (flag names become its words). */
export function requestOf(c: DeployConfig): import('../../deploy/manifests/index.js').DeployRequest {
  return {
    agents: c.agentCount, shards: c.shards, parallelism: c.parallelism, ns: c.ns, image: c.image,
    namespace: c.namespace, name: c.name, pod: c.format === 'pod', format: c.format === 'json' ? 'json' : 'yaml',
    seed: c.seed, durationMs: c.duration, concurrency: c.concurrency, idleSockets: c.idleSockets,
    heap: c.heap as 'auto' | 'lean' | 'fast', accelerate: c.accelerate, regRate: c.regRate, rate: c.rate,
    nsWaitMs: c.nsWait, nofile: c.nofile, consolePassword: c.consolePassword, servers: !c.noServers,
    nsStorage: c.nsStorage, reportsStorage: c.reportsStorage, storageClass: c.storageClass,
    portOffset: c.portOffset, portOverrides: c.port ?? {}, maxErrorRate: c.maxErrorRate, maxP99Ms: c.maxP99,
  };
}
