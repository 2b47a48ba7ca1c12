// Kubernetes manifests of smp-lab (`smp-lab deploy kubernetes`): the public API in one place.
// manifestOptionsOf checks a request and plans the fleet; kubernetesObjects builds the objects;
// formatObjects and manifestHeader print them. Nothing here talks to a cluster.
export { manifestOptionsOf, type DeployRequest } from './options.js';
export { kubernetesObjects, formatObjects, manifestHeader, renderDeployment, type ManifestLayout } from './render.js';
export { planFleet, DEFAULT_AGENTS_PER_POD, MAX_FLEET, type FleetPlan, type FleetPlanInput } from './fleet-plan.js';
export { MEASURED, MEASURED_CONCURRENCY, HEADROOM, podResources, processMiB, type PodResources } from './sizing.js';
export type { KubeObject, ManifestOptions } from './objects.js';
