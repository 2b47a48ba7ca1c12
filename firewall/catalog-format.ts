// The catalog as a table for people and as data for programs: text table, JSON, CSV and Markdown.
// The README's port table is the Markdown form, so README and catalog cannot drift apart.
import type { ResolvedFlow } from '../shared/catalog-types.js';

export interface CatalogColumn {
  readonly header: string;
  readonly value: (f: ResolvedFlow) => string;
}

const portText = (f: ResolvedFlow): string => {
  if (f.transport === 'icmp') return `type ${f.icmpType ?? 8}`;
  if (f.port === null) return 'none';
  return f.defaultPort !== null && f.defaultPort !== f.port ? `${f.port} (default ${f.defaultPort})` : String(f.port);
};

export const COLUMNS: readonly CatalogColumn[] = [
  { header: 'id', value: (f) => f.id },
  { header: 'system', value: (f) => f.system },
  { header: 'component', value: (f) => f.component },
  { header: 'from', value: (f) => f.initiator },
  { header: 'to', value: (f) => f.listener },
  { header: 'transport', value: (f) => f.transport },
  { header: 'port', value: portText },
  { header: 'group', value: (f) => f.group ?? '' },
  { header: 'configurable', value: (f) => f.configurable },
  { header: 'loopback only', value: (f) => (f.loopbackOnly ? 'yes' : '') },
  { header: 'purpose', value: (f) => f.purpose },
];

export function formatTable(flows: readonly ResolvedFlow[]): string {
  const cols = COLUMNS.filter((c) => c.header !== 'purpose');
  const rows = flows.map((f) => cols.map((c) => c.value(f)));
  const widths = cols.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(cols.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

export function formatJson(flows: readonly ResolvedFlow[]): string {
  return JSON.stringify(flows.map((f) => ({ ...f })), null, 2) + '\n';
}

const csvCell = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function formatCsv(flows: readonly ResolvedFlow[]): string {
  const head = [...COLUMNS.map((c) => c.header), 'note'];
  const rows = flows.map((f) => [...COLUMNS.map((c) => c.value(f)), f.note ?? '']);
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

const mdCell = (s: string): string => s.replace(/\|/g, '\\|');

export function formatMarkdown(flows: readonly ResolvedFlow[]): string {
  const cols = COLUMNS.filter((c) => c.header !== 'id' && c.header !== 'loopback only');
  const lines = [`| ${cols.map((c) => c.header).join(' | ')} | id |`, `|${cols.map(() => '---').join('|')}|---|`];
  for (const f of flows) {
    const port = f.loopbackOnly ? `${portText(f)} (loopback only)` : portText(f);
    const cells = cols.map((c) => (c.header === 'port' ? port : c.value(f)));
    lines.push(`| ${cells.map(mdCell).join(' | ')} | \`${f.id}\` |`);
  }
  return lines.join('\n') + '\n';
}
