// `smp-lab report merge FILE... --out DIR`: merge the shard files of a sharded load run into one
// report (JSON + HTML) and judge the thresholds on the merged data; `--from DIR --expect N [--wait T]`
// takes shards 0..N-1 from a directory all shards write to, waiting for them. Parsing and printing
// only; the merge and the shard file names live in agent/load.
import { COMMON_OPTIONS, defineOptions } from '../../shared/config.js';
import { configError, smpError } from '../../shared/errors.js';
import { defineVerb } from '../verb.js';
import { THRESHOLD_OPTIONS } from './load-options.js';

export const REPORT_OPTIONS = defineOptions({
  out: { type: 'path', default: '.lab/reports/merged', arg: 'DIR', help: 'directory for the merged report.json and report.html' },
  from: { type: 'path', arg: 'DIR',
    help: 'merge the shard files shard-0-of-N ... shard-(N-1)-of-N of this directory (with --expect)' },
  expect: { type: 'int', min: 1, max: 100_000, arg: 'N', help: 'shards of the run that wrote --from DIR' },
  wait: { type: 'duration', default: 0, arg: 'TIME', help: 'wait this long for the shard files of --from to appear' },
  ...THRESHOLD_OPTIONS,
});

export const reportVerb = defineVerb({
  name: 'report',
  summary: 'merge the shard files of a sharded load run into one report and judge thresholds',
  usage: 'merge [options] FILE... | merge --from DIR --expect N [--wait TIME] [options]',
  description: 'Each shard of `smp-lab agents` writes report.shard.json (HDR histograms, counters). '
    + 'Exit codes: 0 thresholds passed, 3 a threshold failed (reports are written either way), 1 a file could not be merged.',
  options: { ...COMMON_OPTIONS, ...REPORT_OPTIONS },
  positionals: true,
  async run(config, positionals, ctx) {
    const [sub, ...files] = positionals;
    if (sub !== 'merge') throw smpError('USAGE', `unknown subcommand ${sub === undefined ? '(none)' : JSON.stringify(sub)}; use: smp-lab report merge FILE... --out DIR`);
    if (config.from !== undefined || config.expect !== undefined) {
      if (config.from === undefined || config.expect === undefined) {
        throw configError('--from/--expect', '', 'both together');
      }
      if (files.length > 0) throw smpError('USAGE', 'name shard files or give --from DIR --expect N, not both');
      const { waitForShardFiles } = await import('../../agent/load/shard-files.js');
      const dir = config.from;
      files.push(...await waitForShardFiles(dir, config.expect, { waitMs: config.wait, signal: ctx.signal,
        onWait: (missing) => ctx.stdout.write(`waiting for ${missing} of ${config.expect} shard files in ${dir}\n`) }));
    }
    if (files.length === 0) throw smpError('USAGE', 'smp-lab report merge: name at least one shard file');
    const { readFile, stat } = await import('node:fs/promises');
    const { mergeShards, finishLoadRun, summaryLine, MAX_SHARD_FILE_BYTES } = await import('../../agent/load/index.js');
    const shards = [];
    for (const name of files) {
      const size = (await stat(name).catch((err: NodeJS.ErrnoException) => {
        throw smpError('NOT_FOUND', `smp-lab report merge: cannot read ${name}: ${err.code ?? err.message}`);
      })).size;
      if (size > MAX_SHARD_FILE_BYTES) throw smpError('TOO_LARGE', `${name}: ${size} bytes is larger than a shard file can be (${MAX_SHARD_FILE_BYTES})`);
      shards.push({ name, text: await readFile(name, 'utf8') });
    }
    const stats = mergeShards(shards);
    const done = finishLoadRun({ stats, dir: config.out, shard: false,
      thresholds: { maxErrorRate: config.maxErrorRate, maxP99Ms: config.maxP99, requireSuccess: !config.allowNoSuccess } });
    ctx.stdout.write(`merged ${files.length} shard file${files.length === 1 ? '' : 's'}: ${summaryLine(done.report)}\n`);
    ctx.stdout.write(`report  ${done.files.json}\nhtml    ${done.files.html}\n`);
    const t = done.report.thresholds;
    if (t.maxErrorRate !== null || t.maxP99Ms !== null || !t.passed) {
      ctx.stdout.write(t.passed ? 'thresholds passed\n' : `THRESHOLD FAILED: ${t.failures.join('; ')}\n`);
    }
    return done.exitCode;
  },
});
