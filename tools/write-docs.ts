// `npm run docs`: rewrite the generated docs (docs/cli.md, docs/ports.md) and the default Kubernetes
// manifests.
import { writeFileSync } from 'node:fs';
import { KUBERNETES_MANIFEST, renderCliDoc, renderDefaultManifests, renderPortsDoc } from './docs.js';

const root = new URL('../../', import.meta.url);
writeFileSync(new URL('docs/cli.md', root), renderCliDoc());
writeFileSync(new URL('docs/ports.md', root), renderPortsDoc());
writeFileSync(new URL(KUBERNETES_MANIFEST, root), renderDefaultManifests());
console.log(`docs/cli.md, docs/ports.md and ${KUBERNETES_MANIFEST} regenerated`);
