// docs/cli.md and docs/ports.md carry the command reference and the catalog; they must match the code.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { renderCliDoc, renderPortsDoc } from '../../tools/docs.js';

const root = new URL('../../../', import.meta.url);
const read = (p: string): string => readFileSync(new URL(p, root), 'utf8');

t.test('docs/cli.md matches the verbs', async (t) => {
  t.equal(read('docs/cli.md'), renderCliDoc(), 'docs/cli.md is up to date (run `npm run docs`)');
});

t.test('README keeps no generated table and links to the generated docs', async (t) => {
  const readme = read('README.md');
  t.notMatch(readme, /<!-- (ports|commands):begin -->/);
  t.match(readme, /\(docs\/cli\.md\)/);
  t.match(readme, /\(docs\/ports\.md\)/);
});

t.test('docs/ports.md matches the catalog', async (t) => {
  t.equal(read('docs/ports.md'), renderPortsDoc(), 'docs/ports.md is up to date (run `npm run docs`)');
});

t.test('README gives the two commands of a fresh clone', async (t) => {
  const readme = read('README.md');
  t.match(readme, /npm install && npm start/);
  t.match(readme, /npm test/);
});

t.test('every relative link in README.md and docs/*.md points at a file that exists', async (t) => {
  const { existsSync, readdirSync } = await import('node:fs');
  const docs = ['README.md', ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  for (const doc of docs) {
    const base = new URL(doc, root);
    for (const m of read(doc).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      const target = m[1] ?? '';
      if (/^[a-z]+:/i.test(target)) continue;
      t.ok(existsSync(new URL(target, base)), `${doc} links to ${target}`);
    }
  }
});
