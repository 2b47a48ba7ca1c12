// The end of a load run, whichever way it ends (duration reached, Ctrl-C, threshold failed): freeze
// the recorder, write every report, judge the thresholds, give the exit code. Reports are written
// before judging so a failed run always leaves its evidence; it never prints.
import type { LoadStats } from './stats.js';
import { buildReport, writeReport, type LoadReport, type WrittenReport } from './report.js';
import { exitCodeOf, type Thresholds } from './thresholds.js';

export interface FinishOptions {
  readonly stats: LoadStats;
  /** Directory for report.json, report.html and the shard file. */
  readonly dir: string;
  /** File name stem (default "report"; shards use e.g. "shard-0-of-4"). */
  readonly name?: string;
  readonly thresholds?: Thresholds;
  /** The run was stopped early (abort signal). */
  readonly aborted?: boolean;
  /** Also write the mergeable shard file (default true). */
  readonly shard?: boolean;
}

export interface FinishedRun {
  readonly report: LoadReport;
  readonly files: WrittenReport;
  /** 0 passed, 3 a threshold failed. */
  readonly exitCode: number;
}

export function finishLoadRun(o: FinishOptions): FinishedRun {
  if (!o.stats.endedAt) o.stats.endedAt = o.stats.now();
  const report = buildReport(o.stats, { thresholds: o.thresholds ?? {}, aborted: o.aborted ?? false });
  const files = writeReport(o.dir, report, o.shard === false ? null : o.stats, o.name ?? 'report');
  return { report, files, exitCode: exitCodeOf(report.thresholds) };
}
