// `npm run docs`: rewrite the generated parts of README.md and docs/ports.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderPortsDoc, renderReadme } from './docs.js';

const root = new URL('../../', import.meta.url);
const readmeUrl = new URL('README.md', root);
writeFileSync(readmeUrl, renderReadme(readFileSync(readmeUrl, 'utf8')));
writeFileSync(new URL('docs/ports.md', root), renderPortsDoc());
console.log('README.md and docs/ports.md regenerated');
