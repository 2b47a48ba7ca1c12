// `smp-lab report merge FILE...`: rebuild one load report from the shard histogram files
// (report*.hdr.json) of several `smp-lab agents` processes and judge the thresholds on the merged data.
import { readFileSync } from 'node:fs';
import { COMMON_OPTIONS } from '../../shared/config.js';
import { configError } from '../../shared/errors.js';
import { defineVerb } from '../verb.js';

export const reportVerb = defineVerb({
  name: 'report',
  summary: 'merge the shard files of several agent runs into one report (`report merge FILE...`)',
  usage: 'merge [options] FILE...',
  positionals: true,
  options: {
    ...COMMON_OPTIONS,
    reportDir: { type: 'path', default: 'reports/merged', arg: 'DIR', help: 'where the merged report goes' },
    maxErrorRate: { type: 'float', min: 0, max: 100, arg: 'PCT', help: 'fail (exit 3) when more than PCT % of requests failed' },
    maxP99: { type: 'duration', arg: 'DUR', help: 'fail (exit 3) when an endpoint\'s p99 is above DUR' },
  },
  async run(config, pos, ctx) {
    const [sub, ...files] = pos;
    if (sub !== 'merge') throw configError('subcommand', sub ?? '', 'merge');
    if (files.length === 0) throw configError('files', '', 'one or more report*.hdr.json files');
    const { LoadStats } = await import('../../agent/load/stats.js');
    const { buildReport, writeReport, summaryLine } = await import('../../agent/load/report.js');
    const merged = new LoadStats();
    merged.startedAt = Infinity;
    for (const f of files) {
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(f, 'utf8'));
      } catch (err) {
        throw configError('shard file', f, `a readable JSON shard file (${(err as Error).message})`);
      }
      merged.merge(doc as Parameters<typeof merged.merge>[0]);
    }
    const report = buildReport(merged, {
      ...(config.maxErrorRate !== undefined ? { maxErrorRate: config.maxErrorRate / 100 } : {}),
      ...(config.maxP99 !== undefined ? { maxP99Ms: config.maxP99 } : {}),
    });
    const out = writeReport(config.reportDir, report, merged);
    ctx.stdout.write(`merged ${files.length} shard(s): ${summaryLine(report)}\nreport: ${out.json} ${out.html}\n`);
    if (!report.thresholds.passed) {
      ctx.stderr.write(`smp-lab report: threshold failed: ${report.thresholds.failures.join('; ')}\n`);
      return 3;
    }
    return 0;
  },
});
