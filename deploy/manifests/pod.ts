// A whole small lab in one Pod, for `podman kube play` (or a single-node cluster): the NS and the
// fleet as two containers sharing the pod's network namespace, so the agents reach the NS on loopback
// and the NS reaches every agent's own loopback address with tickles and wakes.
import { agentArgs } from './fleet-job.js';
import {
  AGENT_METRICS_PORT, DATA_MOUNT, LOW_PORTS_CAPABILITY, REPORTS_MOUNT, metaOf, podSecurity, scrapeAnnotations,
  type KubeObject, type ManifestOptions,
} from './objects.js';
import { consolePasswordEnv, nsArgs } from './servers.js';

export function labPod(o: ManifestOptions): KubeObject {
  const ns = `http://127.0.0.1:${o.ports.port('ns-agent-http')}`;
  const p = o.plan;
  // podman turns each volume into a named volume: unique names keep two labs on one host apart.
  const data = `${o.name}-data`;
  const reports = `${o.name}-reports`;
  const mounts = [{ name: data, mountPath: DATA_MOUNT }, { name: reports, mountPath: REPORTS_MOUNT }];
  const nsContainer = {
    name: 'ns', image: o.image, imagePullPolicy: 'IfNotPresent', args: nsArgs(o, '0.0.0.0', DATA_MOUNT),
    ...(o.consolePassword !== undefined ? { env: [consolePasswordEnv(o)] } : {}),
    securityContext: LOW_PORTS_CAPABILITY, volumeMounts: mounts,
  };
  const agents = {
    name: 'agents', image: o.image, imagePullPolicy: 'IfNotPresent',
    args: agentArgs(o, { ns, shard: '0', listen: true, reportDir: `${REPORTS_MOUNT}/${o.name}` }),
    resources: { requests: p.resources.requests, limits: p.resources.limits },
    volumeMounts: mounts,
  };
  return { apiVersion: 'v1', kind: 'Pod',
    metadata: { ...metaOf(o, 'lab', 'lab'), annotations: scrapeAnnotations(AGENT_METRICS_PORT) },
    spec: { restartPolicy: 'Never', securityContext: podSecurity(), containers: [nsContainer, agents],
      volumes: [{ name: data, emptyDir: {} }, { name: reports, emptyDir: {} }] } };
}
