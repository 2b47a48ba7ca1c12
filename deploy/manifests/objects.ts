// The shapes the manifest generator builds (plain data, printed as YAML or JSON) and the parts every
// object shares: names, labels, the Prometheus scrape annotations and the pod security context.
// It must never hold a number that belongs to the port catalog: ports come from a resolved PortMap.
import type { PortMap } from '../../shared/ports.js';
import type { FleetPlan } from './fleet-plan.js';

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** One Kubernetes object: apiVersion, kind, metadata and whatever its kind holds. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

/** The settings of a lab run that the request and the resolved manifest options share. */
export interface LabRunSettings {
  /** Prefix of every object name and the reports sub-directory of this run. */
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  /** NS the agents talk to; undefined = the generated NS Service. */
  readonly ns?: string | undefined;
  readonly seed: string;
  readonly durationMs: number;
  readonly concurrency: number;
  readonly idleSockets: number;
  readonly accelerate: number;
  /** Whole-fleet rates, divided among the shards. */
  readonly regRate?: number | undefined;
  readonly rate?: number | undefined;
  readonly nsWaitMs: number;
  /** Print the Secret with this password; without it the Secret is made by the user (or kustomize). */
  readonly consolePassword?: string | undefined;
  /** Print the NS, TS and their storage (false: agents against an NS elsewhere). */
  readonly servers: boolean;
  readonly nsStorage: string;
  readonly reportsStorage: string;
  readonly storageClass?: string | undefined;
}

/** What the generator is asked for, resolved and checked once by the verb. */
export interface ManifestOptions extends LabRunSettings {
  readonly plan: FleetPlan;
  readonly ports: PortMap;
  /** --port-offset and --port FLOW=PORT, forwarded to every smp-lab container. */
  readonly portArgs: readonly string[];
  /** --max-error-rate/--max-p99 for the merge, which judges the whole fleet. */
  readonly thresholdArgs: readonly string[];
}

export type Component = 'ns' | 'ts' | 'agents' | 'report-merge' | 'lab';

/** Path of the report volume in every pod that mounts it. */
export const REPORTS_MOUNT = '/reports';
/** Path of the data volume (NS store, lab certificates, agent keys). */
export const DATA_MOUNT = '/data';
/** Port of the fleet's Prometheus endpoint in a pod (not an SMP flow: the OpenMetrics exporters' usual port). */
export const AGENT_METRICS_PORT = 9464;
/** Group of every pod's volumes, so a non-root image can write its PVCs. */
export const FS_GROUP = 1000;
/** Key of the console password in its Secret; SMP_LAB_CONSOLE_PASSWORD is what `smp-lab ns` reads. */
export const CONSOLE_SECRET_KEY = 'password';
export const CONSOLE_PASSWORD_ENV = 'SMP_LAB_CONSOLE_PASSWORD';

export const objectName = (o: ManifestOptions, part: string): string => `${o.name}-${part}`;

export function labelsOf(o: ManifestOptions, component: Component): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'smp-lab', 'app.kubernetes.io/instance': o.name, 'app.kubernetes.io/component': component,
  };
}

export function metaOf(o: ManifestOptions, part: string, component: Component): ObjectMeta {
  return { name: objectName(o, part), namespace: o.namespace, labels: labelsOf(o, component) };
}

/** Annotations the common Prometheus pod-discovery configuration (kubernetes_sd, role pod) reads. */
export function scrapeAnnotations(port: number): Record<string, string> {
  return { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' };
}

/**
 * The catalog's ports include 80 and 443: a non-root image binds them when the pod lowers the
 * unprivileged port floor (a namespaced sysctl Kubernetes counts as safe since 1.22).
 */
export function podSecurity(lowPorts = true): Record<string, unknown> {
  const sysctls = [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }];
  return { fsGroup: FS_GROUP, ...(lowPorts ? { sysctls } : {}) };
}

/**
 * The same for runtimes that ignore pod sysctls but give a non-root user an added capability (podman
 * 4.3 `kube play`, measured here); Kubernetes' restricted policy allows this one capability.
 */
export const LOW_PORTS_CAPABILITY = { capabilities: { add: ['NET_BIND_SERVICE'] } } as const;

/** A duration as the CLI reads it back, in the largest whole unit (1h, 90m, 45s, 1500ms). */
export function durationArg(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms)}ms`;
}

/** The smp-lab NS URL of the generated Service (cluster DNS), or the one given. */
export function nsUrlOf(o: ManifestOptions): string {
  return o.ns ?? `http://${objectName(o, 'ns')}.${o.namespace}.svc:${o.ports.port('ns-agent-http')}`;
}
