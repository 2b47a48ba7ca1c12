// The agent fleet on Kubernetes: one Indexed Job whose pod i runs shard i of N (`--shard
// $(JOB_COMPLETION_INDEX)/N`), a ReadWriteMany volume the shards write their reports to, and a Job
// that waits for every shard file there and merges them with `smp-lab report merge`.
import {
  AGENT_METRICS_PORT, DATA_MOUNT, REPORTS_MOUNT, durationArg, labelsOf, metaOf, nsUrlOf, objectName, podSecurity,
  scrapeAnnotations, type KubeObject, type ManifestOptions,
} from './objects.js';

/** Where the shards of this run write, and the merge reads. */
export const reportDirOf = (o: ManifestOptions): string => `${REPORTS_MOUNT}/${o.name}`;

/** Time the merge waits for the last shard file: the fleet's run, its wait for the NS, and slack. */
export const mergeWaitMs = (o: ManifestOptions): number => o.durationMs + o.nsWaitMs + 30 * 60_000;

const perShard = (total: number | undefined, shards: number): number | undefined =>
  total === undefined ? undefined : Math.max(0.001, +(total / shards).toFixed(3));

/**
 * The `smp-lab agents` arguments of one shard. `shard` is `$(JOB_COMPLETION_INDEX)` in the Job (the
 * kubelet substitutes it from the env var) or a number elsewhere. `listen`: whether agents take
 * tickles and wakes (only where the NS reaches their addresses, i.e. inside one pod).
 */
export function agentArgs(o: ManifestOptions,
  a: { ns: string; shard: string; listen: boolean; reportDir: string }): string[] {
  const p = o.plan;
  const regRate = perShard(o.regRate, p.shards);
  const rate = perShard(o.rate, p.shards);
  return [
    'agents', '--ns', a.ns, '--count', String(p.agents), '--shard', `${a.shard}/${p.shards}`, '--seed', o.seed,
    '--duration', durationArg(o.durationMs), '--ns-wait', durationArg(o.nsWaitMs),
    '--concurrency', String(o.concurrency), '--idle-sockets', String(o.idleSockets), '--heap', p.heap,
    ...(p.workersPerPod > 1 ? ['--workers', String(p.workersPerPod)] : []),
    ...(o.accelerate !== 1 ? ['--accelerate', String(o.accelerate)] : []),
    ...(regRate !== undefined ? ['--reg-rate', String(regRate)] : []),
    ...(rate !== undefined ? ['--rate', String(rate)] : []),
    ...(a.listen ? [] : ['--no-listen']),
    '--metrics-port', String(AGENT_METRICS_PORT), '--metrics-host', '0.0.0.0',
    '--report-dir', a.reportDir, '--state-dir', `${DATA_MOUNT}/agents`, '--progress', 'plain', ...o.portArgs,
  ];
}

export function reportsClaim(o: ManifestOptions): KubeObject {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: metaOf(o, 'reports', 'agents'),
    spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: o.reportsStorage } },
      ...(o.storageClass ? { storageClassName: o.storageClass } : {}) } };
}

const reportsVolume = (o: ManifestOptions) =>
  ({ name: 'reports', persistentVolumeClaim: { claimName: objectName(o, 'reports') } });

export function agentsJob(o: ManifestOptions): KubeObject {
  const p = o.plan;
  const labels = labelsOf(o, 'agents');
  const container = {
    name: 'agents', image: o.image, imagePullPolicy: 'IfNotPresent',
    args: agentArgs(o, { ns: nsUrlOf(o), shard: '$(JOB_COMPLETION_INDEX)', listen: false, reportDir: reportDirOf(o) }),
    // Set by the Job controller too; declared so that $(JOB_COMPLETION_INDEX) in args is always substituted.
    env: [{ name: 'JOB_COMPLETION_INDEX',
      valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }],
    ports: [{ name: 'metrics', containerPort: AGENT_METRICS_PORT, protocol: 'TCP' }],
    resources: { requests: p.resources.requests, limits: p.resources.limits },
    volumeMounts: [{ name: 'reports', mountPath: REPORTS_MOUNT }, { name: 'data', mountPath: DATA_MOUNT }],
  };
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: metaOf(o, 'agents', 'agents'),
    spec: { completionMode: 'Indexed', completions: p.shards, parallelism: p.parallelism,
      // A failed shard is retried (its report file is rewritten); thresholds are judged by the merge only.
      backoffLimit: Math.max(6, p.shards),
      template: { metadata: { labels, annotations: scrapeAnnotations(AGENT_METRICS_PORT) },
        spec: { restartPolicy: 'Never', securityContext: podSecurity(false), containers: [container],
          volumes: [reportsVolume(o), { name: 'data', emptyDir: {} }] } } } };
}

/** Waits (inside smp-lab, no shell) until shard-0..N-1 are all on the volume, then merges them. */
export function mergeJob(o: ManifestOptions): KubeObject {
  const dir = reportDirOf(o);
  const container = {
    name: 'merge', image: o.image, imagePullPolicy: 'IfNotPresent',
    args: ['report', 'merge', '--from', dir, '--expect', String(o.plan.shards), '--wait', durationArg(mergeWaitMs(o)),
      '--out', `${dir}/merged`, ...o.thresholdArgs],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    volumeMounts: [{ name: 'reports', mountPath: REPORTS_MOUNT }],
  };
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: metaOf(o, 'report-merge', 'report-merge'),
    spec: { completions: 1, parallelism: 1, backoffLimit: 2,
      template: { metadata: { labels: labelsOf(o, 'report-merge') },
        spec: { restartPolicy: 'Never', securityContext: podSecurity(false), containers: [container],
          volumes: [reportsVolume(o)] } } } };
}

