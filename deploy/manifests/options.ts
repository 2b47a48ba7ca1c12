// From what a user asked (`smp-lab deploy kubernetes` flags, already typed by the config layer) to
// checked ManifestOptions: names Kubernetes accepts, a fleet plan, the resolved catalog ports and
// the port flags every container gets. Bad input is one config error (exit 2), never a broken manifest.
import type { HeapMode } from '../../agent/load/heap-mode.js';
import { configError } from '../../shared/errors.js';
import { resolvePorts } from '../../shared/ports.js';
import { planFleet } from './fleet-plan.js';
import { durationArg, type LabRunSettings, type ManifestOptions } from './objects.js';

export interface DeployRequest extends LabRunSettings {
  readonly agents: number;
  readonly shards?: number | undefined;
  readonly parallelism?: number | undefined;
  /** One Pod for `podman kube play` instead of a cluster lab. */
  readonly pod: boolean;
  readonly format: 'yaml' | 'json';
  readonly heap: HeapMode;
  readonly nofile: number;
  readonly portOffset: number;
  readonly portOverrides: Readonly<Record<string, number>>;
  /** Thresholds of the merged report (the shards judge none). */
  readonly maxErrorRate?: number | undefined;
  readonly maxP99Ms?: number | undefined;
}

/** RFC 1123 label: what a namespace, and a name prefix that gets suffixes, must be. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Longest suffix the generator adds to --name (`-report-merge`). */
const LONGEST_SUFFIX = 13;
/** Kubernetes quantity, e.g. 10Gi, 500M. */
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

function checkRequest(r: DeployRequest): void {
  if (!DNS_LABEL.test(r.namespace) || r.namespace.length > 63) {
    throw configError('--namespace', r.namespace,
      'a DNS label: lower-case letters, digits and -, at most 63 characters');
  }
  if (!DNS_LABEL.test(r.name) || r.name.length > 63 - LONGEST_SUFFIX) {
    throw configError('--name', r.name, `a DNS label of at most ${63 - LONGEST_SUFFIX} characters`);
  }
  if (/\s/.test(r.image)) throw configError('--image', r.image, 'an image reference such as smp-lab:latest');
  for (const [flag, q] of [['--ns-storage', r.nsStorage], ['--reports-storage', r.reportsStorage]] as const) {
    if (!QUANTITY.test(q)) throw configError(flag, q, 'a Kubernetes quantity such as 10Gi');
  }
  if (r.durationMs <= 0) {
    throw configError('--duration', r.durationMs / 1000, 'a positive duration: the Job ends when its pods do');
  }
  if (!r.servers && r.ns === undefined && !r.pod) {
    throw configError('--no-servers', true, 'together with --ns URL (the NS the agents use)');
  }
  if (r.pod) checkPod(r);
}

/** One Pod is one shard with its own NS. */
function checkPod(r: DeployRequest): void {
  if (r.shards !== undefined && r.shards !== 1) {
    throw configError('--shards', r.shards, '1 (or none) with --format pod: one pod is one shard');
  }
  if (r.ns !== undefined) throw configError('--ns', r.ns, 'no --ns with --format pod: its agents use the NS of the pod');
  if (!r.servers) throw configError('--no-servers', true, 'not with --format pod: the pod is an NS and its agents');
}

export function manifestOptionsOf(r: DeployRequest): ManifestOptions {
  checkRequest(r);
  const plan = planFleet({
    agents: r.agents, shards: r.pod ? 1 : r.shards, parallelism: r.pod ? undefined : r.parallelism,
    concurrency: r.concurrency, idleSockets: r.idleSockets, nofile: r.nofile, heap: r.heap });
  const ports = resolvePorts({ offset: r.portOffset, perFlow: r.portOverrides });
  const portArgs = [...(r.portOffset !== 0 ? ['--port-offset', String(r.portOffset)] : []),
    ...Object.entries(r.portOverrides).flatMap(([flow, port]) => ['--port', `${flow}=${port}`])];
  return { name: r.name, namespace: r.namespace, image: r.image, ns: r.pod ? undefined : r.ns, plan, ports, portArgs,
    seed: r.seed, durationMs: r.durationMs, concurrency: r.concurrency, idleSockets: r.idleSockets,
    accelerate: r.accelerate,
    regRate: r.regRate, rate: r.rate, nsWaitMs: r.nsWaitMs, consolePassword: r.consolePassword, servers: r.servers,
    nsStorage: r.nsStorage, reportsStorage: r.reportsStorage, storageClass: r.storageClass,
    thresholdArgs: [...(r.maxErrorRate !== undefined ? ['--max-error-rate', String(r.maxErrorRate)] : []),
      ...(r.maxP99Ms !== undefined ? ['--max-p99', durationArg(r.maxP99Ms)] : [])] };
}
