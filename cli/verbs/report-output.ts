// Where probe and verify-rules reports go: stdout, or --out FILE with a summary line on stdout.
// Shared by the two verbs so their output options behave the same; returns the exit code.
import { writeFile } from 'node:fs/promises';
import { formatReport, type ReportFormat, type ReportMeta } from '../../firewall/report.js';
import { allPassed, summarise, type ProbeResult } from '../../firewall/probe-status.js';
import { smpError } from '../../shared/errors.js';
import type { VerbContext } from '../verb.js';

export async function emitReport(
  rows: readonly ProbeResult[], meta: ReportMeta, config: { format: string; out?: string | undefined }, ctx: VerbContext,
): Promise<number> {
  const format = config.format as ReportFormat;
  const colour = format === 'table' && config.out === undefined && ctx.stdout.isTTY === true && ctx.env.NO_COLOR === undefined;
  const text = formatReport(rows, meta, format, colour);
  if (config.out === undefined) {
    ctx.stdout.write(text);
  } else {
    try {
      await writeFile(config.out, text);
    } catch (err) {
      throw smpError('ENVIRONMENT', `--out: cannot write ${config.out}: ${(err as Error).message}`);
    }
    const s = summarise(rows);
    ctx.stdout.write(`${meta.title}: ${s.pass}/${s.total} pass, ${s.refused} refused, ${s.timeout} timeout, ${s.mismatch} mismatch, ${s.skipped} skipped, ${s.error} error; report in ${config.out}\n`);
  }
  return allPassed(rows) ? 0 : 1;
}
