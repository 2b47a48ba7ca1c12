// `smp-lab agents` over worker processes (--workers N, or automatic past the descriptor limit): the
// parent prints the ready line, live progress and any worker failure, then writes ONE report from the
// merged data. A worker that dies stops the run and makes the exit code a tool error. Printing only.
import type { FleetRunOptions } from '../../agent/load/runner.js';
import type { VerbContext } from '../verb.js';
import { finishAgents, runUntilDone, type AgentsConfig } from './agents.js';

export async function runWorkerAgents(config: AgentsConfig, run: FleetRunOptions, workers: number, processes: string, ctx: VerbContext): Promise<number> {
  const { startWorkerFleet } = await import('../../agent/load/worker-pool.js');
  const { showProgress, progressOfWorkers } = await import('../../agent/load/progress.js');
  const { EXIT_CODES } = await import('../../agent/load/thresholds.js');
  let failed!: () => void;
  const failure = new Promise<void>((resolve) => { failed = resolve; });
  const fleet = await startWorkerFleet({ run, workers, onFailure: (f) => {
    const how = f.message ?? (f.signal ? `killed by ${f.signal}` : `exit code ${f.code}`);
    ctx.stderr.write(`smp-lab agents: worker ${f.worker} (agents ${f.slice.start}..${f.slice.end - 1}) failed: ${how}; stopping the run\n`);
    failed();
  } });
  const { ids, slice } = fleet;
  ctx.stdout.write(`agents ready: ${slice.end - slice.start} agents (fleet ${config.count}, shard ${run.shard.index}/${run.shard.count}, `
    + `${ids.ip(slice.start)}..${ids.ip(Math.max(slice.start, slice.end - 1))}) -> ${run.ns}; ${processes}; `
    + `tickle tcp ${fleet.ticklePort ?? 'off'}, wake udp ${fleet.wakePort ?? 'off'}${fleet.metricsPort !== null ? `, metrics http://127.0.0.1:${fleet.metricsPort}/metrics` : ''}; `
    + `keys ${fleet.keys.path ?? 'in memory'}${fleet.keys.generated ? ` (${fleet.keys.generated} generated)` : ''}; reports -> ${config.reportDir}\n`);
  const stopProgress = config.progress === 'none' ? () => {} : showProgress(progressOfWorkers(fleet), { out: ctx.stderr, plain: config.progress === 'plain' });
  await runUntilDone(config.duration, ctx.signal, failure);
  stopProgress();
  const stats = await fleet.stop();
  const code = await finishAgents(config, stats, run.shard, ctx, ctx.signal.aborted || fleet.failures.length > 0);
  if (fleet.failures.length > 0) {
    ctx.stderr.write(`smp-lab agents: ${fleet.failures.length} of ${fleet.workers} worker processes failed; the report covers what they sent before\n`);
    return EXIT_CODES.TOOL_ERROR;
  }
  return code;
}
