// Load measurement and reporting for smp-lab (agent/load): the public API, in one place. The fleet
// (the runner) only emits results into a LoadStats recorder; live output, Prometheus metrics and
// reports listen to or read the recorder. Nothing here sends SMP requests or knows about agents.
//
// Recording (per endpoint x outcome, never per agent: memory is independent of fleet size)
//   const stats = new LoadStats();                  // startedAt = now
//   stats.agents = n;                               // for the report
//   stats.record(endpoint, outcome, latencyUs, serviceUs?)
//       latencyUs: from the INTENDED send time (open model: includes waiting for a free agent),
//       serviceUs: from the actual send time (defaults to latencyUs: closed model).
//   stats.recordLag(us)        the generator's own lateness (timer/event loop), not the server's
//   stats.recordDropped(n)     open-model sends dropped because the bounded queue was full
//   stats.subscribe(fn)        listener per recorded request; returns unsubscribe
//   stats.inbound = {received, acted, dropped}     tickles/wakes by kind, set at the end
//   Endpoint: ENDPOINTS ('create-resource', 'get-client-policies', 'post-event', ...; SMP names in
//   ENDPOINT_PAGES); Outcome: OUTCOMES ('ok','http-4xx','http-5xx','bad-xml','reset','timeout',
//   'refused','tls','other','bad-signature','bad-checksum'); outcomeOfStatus(status), outcomeOfError(err) classify.
//
// Rate control
//   startOpenModel({rate, rampMs?, maxQueue?, stats, dispatch(intendedAt) => boolean}) -> {pump, stop}
//       dispatch starts one send intended at `intendedAt` (performance.now ms) or returns false
//       when no agent is free; call pump() when one frees up. OpenModelPacer is the timer-free core.
//   rampOffsetMs(i, n, rampMs): closed-model start offset of agent i.
//
// Output
//   startLiveOutput({stats, stream, durationMs?}) -> {stop}   progress bar on a TTY, plain lines else
//   finishLoadRun({stats, dir, name?, thresholds?, aborted?}) -> {report, files, exitCode}
//       writes <name>.json, <name>.html, <name>.shard.json, then judges; call it on every exit
//       path (end of run, abort signal, error after start). exitCode: EXIT_CODES.PASS 0 /
//       THRESHOLD 3; a tool error is EXIT_CODES.TOOL_ERROR 1 (the caller's catch).
//   mergeShards([{name, text}]) -> LoadStats, then finishLoadRun/buildReport (smp-lab report merge).
//
// Prometheus (registry per instance, bounded labels)
//   const m = createLoadMetrics({stats, states?: () => counts, inbound?: () => counters});
//   m.setAgentStates({...}); const srv = await startMetricsServer({port, host, registry: m.registry});
//   srv.port; await srv.close();
export { ENDPOINTS, ENDPOINT_PAGES, OUTCOMES, isEndpoint, isOutcome, outcomeOfError, outcomeOfStatus, type Endpoint, type Outcome } from './outcome.js';
export { LoadStats, newHistogram, type InboundTotals, type LatencyKind, type LoadWindow, type RecordListener } from './stats.js';
export { ThroughputSeries, type SeriesData, type SeriesPoint } from './throughput-series.js';
export { OpenModelPacer, startOpenModel, rampOffsetMs, intendedOffsetMs, DEFAULT_MAX_QUEUE, type OpenModelDriver } from './rate.js';
export { startLiveOutput, liveLine, LAG_WARN_MS, type LiveOutput } from './live.js';
export { buildReport, writeReport, summaryLine, summarize, GENERATOR_BEHIND_MS, REPORT_KIND, REPORT_VERSION, type LoadReport, type EndpointSummary, type LatencySummary } from './report.js';
export { renderHtmlReport } from './html-report.js';
export { judge, exitCodeOf, EXIT_CODES, type Thresholds, type Verdict } from './thresholds.js';
export { finishLoadRun, type FinishedRun, type FinishOptions } from './finish.js';
export { encodeShard, decodeShard, mergeShards, SHARD_FILE_KIND, SHARD_FILE_VERSION, MAX_SHARD_FILE_BYTES, type ShardFile } from './shard-file.js';
export { createLoadMetrics, fleetMetrics, type LoadMetrics } from './metrics.js';
export { startMetricsServer, serveMetrics, type MetricsServer } from './metrics-server.js';
