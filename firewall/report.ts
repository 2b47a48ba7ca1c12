// Prints probe results: a table (coloured on a TTY), JSON rows plus a summary, Markdown, or JUnit
// XML for CI pipelines. Pure: rows in, text out; the verbs decide where it goes.
import { summarise, type ProbeResult, type ProbeStatus, type Summary } from './probe-status.js';

export const FORMATS = ['table', 'json', 'md', 'junit'] as const;
export type ReportFormat = (typeof FORMATS)[number];

export interface ReportMeta {
  /** What was probed, e.g. "agent -> 10.0.0.2" or "verify-rules rules.nft". */
  readonly title: string;
  readonly [key: string]: unknown;
}

const COLOUR: Record<ProbeStatus, string> = {
  pass: '\x1b[32m', refused: '\x1b[31m', timeout: '\x1b[33m', mismatch: '\x1b[35m', skipped: '\x1b[2m', error: '\x1b[31;1m',
};

export function formatReport(rows: readonly ProbeResult[], meta: ReportMeta, format: ReportFormat, colour = false): string {
  const summary = summarise(rows);
  switch (format) {
    case 'json':
      return `${JSON.stringify({ ...meta, rows, summary }, null, 2)}\n`;
    case 'md':
      return markdown(rows, meta, summary);
    case 'junit':
      return junit(rows, meta, summary);
    default:
      return table(rows, meta, summary, colour);
  }
}

const where = (r: ProbeResult): string => `${r.transport}/${r.port ?? '-'}`;
const summaryLine = (s: Summary): string =>
  `${s.total} flows: ${s.pass} pass, ${s.refused} refused, ${s.timeout} timeout, ${s.mismatch} mismatch, ${s.skipped} skipped, ${s.error} error`;

function table(rows: readonly ProbeResult[], meta: ReportMeta, s: Summary, colour: boolean): string {
  const dir = rows.some((r) => r.direction !== undefined);
  const head = ['STATUS', ...(dir ? ['DIRECTION'] : []), 'FLOW', 'PORT', 'FROM->TO', 'MS', 'REASON'];
  const body = rows.map((r) => [r.status, ...(dir ? [r.direction ?? ''] : []), r.id, where(r), `${r.from}->${r.to}`, String(r.ms), r.reason]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[], paint: boolean): string => cells.map((c, i) => {
    const padded = i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0);
    return paint && i === 0 && colour ? `${COLOUR[c as ProbeStatus] ?? ''}${padded}\x1b[0m` : padded;
  }).join('  ').trimEnd();
  return [meta.title, line(head, false), ...body.map((b) => line(b, true)), summaryLine(s), ''].join('\n');
}

const mdCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function markdown(rows: readonly ProbeResult[], meta: ReportMeta, s: Summary): string {
  const dir = rows.some((r) => r.direction !== undefined);
  const out = [`## ${mdCell(meta.title)}`, '', `| status |${dir ? ' direction |' : ''} flow | system | port | from -> to | ms | reason |`,
    `|---|${dir ? '---|' : ''}---|---|---|---|---:|---|`];
  for (const r of rows) {
    out.push(`| ${r.status} |${dir ? ` ${r.direction ?? ''} |` : ''} ${r.id} | ${mdCell(r.system)} | ${where(r)} | ${r.from} -> ${r.to} | ${r.ms} | ${mdCell(r.reason)} |`);
  }
  out.push('', summaryLine(s), '');
  return out.join('\n');
}

/** XML-escaped text with the characters XML 1.0 forbids (C0 controls but tab, LF, CR) dropped. */
const xml = (s: string): string => [...s]
  .filter((c) => c.charCodeAt(0) >= 0x20 || c === '\t' || c === '\n' || c === '\r')
  .join('').replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function junit(rows: readonly ProbeResult[], meta: ReportMeta, s: Summary): string {
  const failures = s.refused + s.timeout + s.mismatch;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="smp-lab probe" tests="${s.total}" failures="${failures}" errors="${s.error}" skipped="${s.skipped}">`,
    `  <testsuite name="${xml(meta.title)}" tests="${s.total}" failures="${failures}" errors="${s.error}" skipped="${s.skipped}">`];
  for (const r of rows) {
    const name = `${r.direction ? `${r.direction} ` : ''}${r.id} ${where(r)}`;
    const open = `    <testcase classname="${xml(r.system)}" name="${xml(name)}" time="${(r.ms / 1000).toFixed(3)}"`;
    if (r.status === 'pass') out.push(`${open}/>`);
    else if (r.status === 'skipped') out.push(`${open}><skipped message="${xml(r.reason)}"/></testcase>`);
    else if (r.status === 'error') out.push(`${open}><error type="error" message="${xml(r.reason)}"/></testcase>`);
    else out.push(`${open}><failure type="${r.status}" message="${xml(r.reason)}"/></testcase>`);
  }
  out.push('  </testsuite>', '</testsuites>', '');
  return out.join('\n');
}
