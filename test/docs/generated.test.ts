// README.md and docs/ports.md carry the catalog and the command reference; they must match the code.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { renderPortsDoc, renderReadme } from '../../tools/docs.js';

const root = new URL('../../../', import.meta.url);
const read = (p: string): string => readFileSync(new URL(p, root), 'utf8');

t.test('README port table and command reference match the catalog and the verbs', async (t) => {
  const readme = read('README.md');
  t.equal(readme, renderReadme(readme), 'README.md is up to date (run `npm run docs`)');
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
