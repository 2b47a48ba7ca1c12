// Options of a load run's measurement and reports, shared by the verbs that generate or merge load
// (`smp-lab agents`, `smp-lab report merge`): report directory, thresholds, metrics port, rate, ramp.
import { defineOptions } from '../../shared/config.js';

/** Thresholds judged at the end (exit code 3 when one fails). */
export const THRESHOLD_OPTIONS = defineOptions({
  maxErrorRate: { type: 'float', min: 0, max: 1, arg: 'FRACTION', help: 'fail (exit 3) when more than this fraction of requests fail, e.g. 0.01' },
  maxP99: { type: 'duration', arg: 'MS', help: 'fail (exit 3) when any endpoint\'s p99 latency (from the intended send time) exceeds this, e.g. 250ms' },
  allowNoSuccess: { type: 'bool', default: false, help: 'exit 0 even when requests were made and none succeeded (default: exit 3)' },
});

/** Where reports go and how a load run is paced and observed. */
export const LOAD_OPTIONS = defineOptions({
  ...THRESHOLD_OPTIONS,
  reportDir: { type: 'path', default: '.lab/reports', arg: 'DIR', help: 'directory for report.json, report.html and the mergeable shard file' },
  duration: { type: 'duration', arg: 'TIME', help: 'stop after this long and write the reports (default: until Ctrl-C)' },
  rate: { type: 'float', min: 0.001, max: 1_000_000, arg: 'R', help: 'open model: R check-ins per second, latency measured from the intended send time' },
  ramp: { type: 'duration', default: 0, arg: 'TIME', help: 'rise linearly to full rate (or bring agents up evenly) over this long' },
  metricsPort: { type: 'int', min: 0, max: 65535, arg: 'PORT', help: 'serve Prometheus metrics on this port (0 = any free port)' },
  metricsHost: { type: 'host', default: '127.0.0.1', arg: 'HOST', help: 'address of the metrics endpoint' },
});
