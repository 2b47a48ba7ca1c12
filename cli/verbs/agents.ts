// `smp-lab agents`: run a fleet of simulated SMP agents against an NS (ours or a real one) until
// --duration or Ctrl-C, then write the load report; exit 3 when a threshold failed. Parsing and
// printing only; the fleet lives in agent/.
import { readFileSync } from 'node:fs';
import { COMMON_OPTIONS, PORT_OPTIONS } from '../../shared/config.js';
import { PACKAGE_MULTICAST_GROUP } from '../../shared/catalog.js';
import { configError } from '../../shared/errors.js';
import { defineVerb, type VerbContext } from '../verb.js';
import { FLEET_RUN_OPTIONS } from './agents-options.js';
import { LOAD_OPTIONS } from './load-options.js';
import type { ConfigOf } from '../../shared/config.js';
import type { FleetRunOptions } from '../../agent/load/runner.js';

const OPTIONS = {
  ...COMMON_OPTIONS, ...PORT_OPTIONS, ...FLEET_RUN_OPTIONS, ...LOAD_OPTIONS,
  ns: { type: 'url', arg: 'URL', help: 'Notification Server base URL (default http://127.0.0.1:<ns-agent-http port>)' },
  count: { type: 'int', min: 1, max: 1_000_000, default: 50, arg: 'N', help: 'agents in the whole fleet' },
} as const;

export type AgentsConfig = ConfigOf<typeof OPTIONS>;

/** Only the verb checks the NS first (`up` starts its own). */
const NS_WAIT_OPTION = {
  nsWait: { type: 'duration', default: 0, arg: 'TIME', help: 'wait this long for the NS to accept connections before starting (0: fail at once)' },
} as const;

export const agentsVerb = defineVerb({
  name: 'agents',
  summary: 'run N simulated SMP agents against a Notification Server and report the load',
  options: { ...OPTIONS, ...NS_WAIT_OPTION },
  async run(config, _pos, ctx) {
    const { resolvePorts } = await import('../../shared/ports.js');
    const ports = resolvePorts({ offset: config.portOffset, perFlow: config.port ?? {} });
    const ns = config.ns ?? `http://127.0.0.1:${ports.port('ns-agent-http')}`;
    return runAgents(config, ns, ports, ctx, { nsWaitMs: config.nsWait });
  },
});

type Ports = import('../../shared/ports.js').PortMap;

/** Starts the fleet, shows progress, stops on duration or signal, writes the report. Used by `up` too. */
export async function runAgents(config: AgentsConfig, ns: string, ports: Ports, ctx: VerbContext,
  hooks: { onStarted?: (f: import('../../agent/load/runner.js').RunningFleet) => void; nsWaitMs?: number } = {},
  caPem?: Buffer): Promise<number> {
  const { startFleet } = await import('../../agent/load/runner.js');
  const { resolveShard, sliceOf } = await import('../../agent/fleet/shard.js');
  const { planWorkers } = await import('../../agent/load/fd-limit.js');
  const { showProgress, progressOfFleet } = await import('../../agent/load/progress.js');
  const shard = resolveShard(config.shard, { index: ctx.env['JOB_COMPLETION_INDEX'], count: ctx.env['JOB_COMPLETION_COUNT'] });
  let ca: Buffer | undefined = caPem;
  if (config.ca !== undefined) {
    try { ca = readFileSync(config.ca); } catch { throw configError('--ca', config.ca, 'a readable PEM file'); }
  }
  const host = new URL(ns).hostname;
  const loopbackNs = host === 'localhost' || host.startsWith('127.') || host === '[::1]';
  const { FleetIdentities } = await import('../../agent/fleet/identity.js');
  const ids = new FleetIdentities({ seed: config.seed, ipBase: config.ipBase });
  const mine = sliceOf(Math.min(config.count, ids.capacity), shard);
  // Off loopback the shard's own first address names the interface that carries its subnet.
  const iface = config.interface ?? (ids.loopback ? '127.0.0.1' : ids.ip(mine.start));
  const run: FleetRunOptions = {
    ns, seed: config.seed, count: config.count, ipBase: config.ipBase, shard, trustedServer: config.trustedServer,
    tickleHost: config.tickleHost, ticklePort: ports.port('ns-tickle'), wakePort: ports.port('ns-multicast'),
    wakeGroup: ports.flow('ns-multicast').group ?? '224.0.255.135', interfaceAddress: iface, noListen: config.noListen,
    ...(config.hmacKey ? { hmacKey: Buffer.from(config.hmacKey) } : {}), ...(ca ? { ca } : {}), insecure: config.insecure,
    stateDir: config.stateDir, keyPool: config.keyPool, ...(config.interval !== undefined ? { intervalMs: config.interval } : {}),
    accelerate: config.accelerate, jitter: config.jitter, rampMs: config.ramp, concurrency: config.concurrency,
    sourceAddress: config.sourceAddress === 'on' || (config.sourceAddress === 'auto' && (loopbackNs || !ids.loopback)),
    install: config.install,
    delivery: !config.noDelivery,
    asleep: config.asleep, requestTimeoutMs: config.requestTimeout, ...(config.rate !== undefined ? { rate: config.rate } : {}),
    ...(config.regRate !== undefined ? { registrationRate: config.regRate } : {}), idleSockets: config.idleSockets,
    heap: config.heap as 'auto' | 'lean' | 'fast',
    ...(config.noPackageMulticast || config.noListen ? {} : { packageMulticast: { port: ports.port('ns-package-multicast'),
      group: ports.flow('ns-package-multicast').group ?? PACKAGE_MULTICAST_GROUP, interfaceAddress: iface,
      minBytes: config.packageMulticastMin, waitMs: config.packageMulticastWait } }),
    ...(config.metricsPort !== undefined ? { metricsPort: config.metricsPort, metricsHost: config.metricsHost } : {}),
  };
  // The addresses must be local when agents listen on them or send from them; otherwise they are names only.
  if (mine.end > mine.start && (!config.noListen || run.sourceAddress)) {
    const { assertLocalRange } = await import('../../agent/fleet/local-addresses.js');
    await assertLocalRange(ids.ipNumber(mine.start), ids.ipNumber(mine.end - 1));
  }
  if (hooks.nsWaitMs !== undefined) {
    // After the flags and the local addresses are checked, before anything starts: an NS this host cannot reach is one line.
    const { waitForNs } = await import('../../agent/load/ns-reachable.js');
    const waitMs = hooks.nsWaitMs;
    await waitForNs(ns, { waitMs, signal: ctx.signal, onRetry: (code) =>
      ctx.stderr.write(`smp-lab agents: the NS at ${ns} does not answer yet (${code}); retrying for up to ${waitMs / 1000} s\n`) });
  }
  const plan = planWorkers(config.workers, { agents: mine.end - mine.start, concurrency: config.concurrency, idleSockets: config.idleSockets });
  if (plan.warning) ctx.stderr.write(`smp-lab agents: warning: ${plan.warning}\n`);
  const { resolveHeapMode } = await import('../../agent/load/heap-mode.js');
  const heap = resolveHeapMode(config.heap as 'auto' | 'lean' | 'fast', Math.ceil((mine.end - mine.start) / plan.workers));
  const processes = `${plan.workers} ${plan.workers === 1 ? 'process' : 'worker processes'} (${plan.reason}), ${heap} heap`;
  if (plan.workers > 1) {
    const { runWorkerAgents } = await import('./agents-workers.js');
    return runWorkerAgents(config, run, plan.workers, processes, ctx);
  }
  const fleet = await startFleet(run);
  const reportDir = config.reportDir;
  ctx.stdout.write(`agents ready: ${fleet.slice.end - fleet.slice.start} agents (fleet ${config.count}, shard ${shard.index}/${shard.count}, `
    + `${fleet.ids.ip(fleet.slice.start)}..${fleet.ids.ip(Math.max(fleet.slice.start, fleet.slice.end - 1))}) -> ${ns}; ${processes}; `
    + `tickle tcp ${fleet.ticklePort ?? 'off'}, wake udp ${fleet.wakePort ?? 'off'}, package multicast udp ${fleet.packageMulticastPort ?? 'off'}${fleet.metricsPort !== null ? `, metrics http://127.0.0.1:${fleet.metricsPort}/metrics` : ''}; `
    + `keys ${fleet.keys.path ?? 'in memory'}${fleet.keys.generated ? ` (${fleet.keys.generated} generated)` : ''}; reports -> ${reportDir}\n`);
  hooks.onStarted?.(fleet);
  const stopProgress = config.progress === 'none' ? () => {} : showProgress(progressOfFleet(fleet), { out: ctx.stderr, plain: config.progress === 'plain' });
  await runUntilDone(config.duration, ctx.signal);
  stopProgress();
  const stats = await fleet.stop();
  return finishAgents(config, stats, shard, ctx, ctx.signal.aborted);
}

/** Resolves after `duration` ms (when set), on the abort signal, or on `stopEarly`. */
export function runUntilDone(duration: number | undefined, signal: AbortSignal, stopEarly?: Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = duration !== undefined && duration > 0 ? setTimeout(resolve, duration) : null;
    const done = (): void => { if (timer) clearTimeout(timer); resolve(); };
    signal.addEventListener('abort', done, { once: true });
    void stopEarly?.then(done);
    if (signal.aborted) done();
  });
}

/** Writes the report (also after Ctrl-C or a failure), prints the summary, judges the thresholds. */
export async function finishAgents(config: AgentsConfig, stats: import('../../agent/load/stats.js').LoadStats, shard: { index: number; count: number },
  ctx: VerbContext, aborted: boolean): Promise<number> {
  const { finishLoadRun } = await import('../../agent/load/finish.js');
  const { summaryLine } = await import('../../agent/load/report.js');
  const { shardReportName } = await import('../../agent/load/shard-files.js');
  const name = shard.count > 1 ? shardReportName(shard.index, shard.count) : 'report';
  const { report, files, exitCode } = finishLoadRun({ stats, dir: config.reportDir, name, aborted,
    thresholds: { maxErrorRate: config.maxErrorRate, maxP99Ms: config.maxP99, requireSuccess: !config.allowNoSuccess } });
  ctx.stdout.write(`${summaryLine(report)}\nreport: ${files.json} ${files.html} ${files.shard}\n`);
  if (!report.thresholds.passed) {
    ctx.stderr.write(`smp-lab agents: threshold failed: ${report.thresholds.failures.join('; ')}\n`);
  }
  return exitCode;
}
