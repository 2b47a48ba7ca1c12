// `npm run docs`: rewrite the generated parts of README.md and docs/ports.md, and the default
// Kubernetes manifests.
import { readFileSync, writeFileSync } from 'node:fs';
import { KUBERNETES_MANIFEST, renderDefaultManifests, renderPortsDoc, renderReadme } from './docs.js';

const root = new URL('../../', import.meta.url);
const readmeUrl = new URL('README.md', root);
writeFileSync(readmeUrl, renderReadme(readFileSync(readmeUrl, 'utf8')));
writeFileSync(new URL('docs/ports.md', root), renderPortsDoc());
writeFileSync(new URL(KUBERNETES_MANIFEST, root), renderDefaultManifests());
console.log(`README.md, docs/ports.md and ${KUBERNETES_MANIFEST} regenerated`);
