// The SMP servers of a Kubernetes lab: the Notification Server (Deployment, Service, a PVC for its
// --data) and the Task Server (Deployment, Service), plus the Secret of the console password.
// Containers get their ports from the resolved catalog; nothing here invents a port.
import {
  CONSOLE_PASSWORD_ENV, CONSOLE_SECRET_KEY, DATA_MOUNT, LOW_PORTS_CAPABILITY, labelsOf, metaOf, nsUrlOf, objectName,
  podSecurity, scrapeAnnotations, type KubeObject, type ManifestOptions,
} from './objects.js';

/** Flows the NS listens on in a lab pod, by the port name Kubernetes shows. */
const NS_PORTS = [
  ['http', 'ns-agent-http'], ['https', 'ns-agent-https'], ['tickle-server', 'ts-tickle-server'],
] as const;
const TS_PORTS = [['http', 'ts-http'], ['https', 'ts-https'], ['channel', 'ts-agent-channel']] as const;

type PortList = typeof NS_PORTS | typeof TS_PORTS;

const containerPorts = (o: ManifestOptions, list: PortList) =>
  list.map(([name, flow]) => ({ name, containerPort: o.ports.port(flow), protocol: 'TCP' }));

const servicePorts = (o: ManifestOptions, list: PortList) =>
  list.map(([name, flow]) => ({ name, port: o.ports.port(flow), targetPort: name, protocol: 'TCP' }));

/** The console password from its Secret, as the environment variable `smp-lab ns` reads. */
export function consolePasswordEnv(o: ManifestOptions): Record<string, unknown> {
  return { name: CONSOLE_PASSWORD_ENV,
    valueFrom: { secretKeyRef: { name: objectName(o, 'console'), key: CONSOLE_SECRET_KEY } } };
}

/** The `smp-lab ns` arguments of a pod whose data lives under `dataDir`. */
export function nsArgs(o: ManifestOptions, bind: string, dataDir: string): string[] {
  return ['ns', '--bind', bind, '--data', `${dataDir}/ns`, '--certs', `${dataDir}/certs`, ...o.portArgs];
}

export function consoleSecret(o: ManifestOptions, password: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: metaOf(o, 'console', 'ns'), type: 'Opaque',
    stringData: { [CONSOLE_SECRET_KEY]: password } };
}

export function nsObjects(o: ManifestOptions): KubeObject[] {
  const selector = labelsOf(o, 'ns');
  const pvc: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: metaOf(o, 'ns-data', 'ns'),
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: o.nsStorage } },
      ...(o.storageClass ? { storageClassName: o.storageClass } : {}) } };
  const container = {
    name: 'ns', image: o.image, imagePullPolicy: 'IfNotPresent', args: nsArgs(o, '0.0.0.0', DATA_MOUNT),
    env: [consolePasswordEnv(o)], ports: containerPorts(o, NS_PORTS), securityContext: LOW_PORTS_CAPABILITY,
    readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 5 },
    // Not measured at 1,000,000 agents: a starting point, see docs/kubernetes.md.
    resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '4Gi' } },
    volumeMounts: [{ name: 'data', mountPath: DATA_MOUNT }],
  };
  const deployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: metaOf(o, 'ns', 'ns'),
    spec: { replicas: 1, strategy: { type: 'Recreate' }, selector: { matchLabels: selector },
      template: { metadata: { labels: selector, annotations: scrapeAnnotations(o.ports.port('ns-agent-http')) },
        spec: { securityContext: podSecurity(), containers: [container],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: objectName(o, 'ns-data') } }] } } } };
  const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: metaOf(o, 'ns', 'ns'),
    spec: { selector, ports: servicePorts(o, NS_PORTS) } };
  return [pvc, deployment, service];
}

export function tsObjects(o: ManifestOptions): KubeObject[] {
  const selector = labelsOf(o, 'ts');
  const container = {
    name: 'ts', image: o.image, imagePullPolicy: 'IfNotPresent',
    args: ['ts', '--ns', nsUrlOf(o), '--bind', '0.0.0.0', '--certs', `${DATA_MOUNT}/certs`, ...o.portArgs],
    ports: containerPorts(o, TS_PORTS), securityContext: LOW_PORTS_CAPABILITY,
    readinessProbe: { tcpSocket: { port: 'channel' }, periodSeconds: 5 },
    resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    volumeMounts: [{ name: 'data', mountPath: DATA_MOUNT }],
  };
  const deployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: metaOf(o, 'ts', 'ts'),
    spec: { replicas: 1, selector: { matchLabels: selector },
      template: { metadata: { labels: selector, annotations: scrapeAnnotations(o.ports.port('ts-http')) },
        spec: { securityContext: podSecurity(), containers: [container],
          volumes: [{ name: 'data', emptyDir: {} }] } } } };
  const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: metaOf(o, 'ts', 'ts'),
    spec: { selector, ports: servicePorts(o, TS_PORTS) } };
  return [deployment, service];
}
