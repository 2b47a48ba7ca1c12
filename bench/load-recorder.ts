// Benchmark of the load recorder's cost per recorded request: LoadStats.record (two HDR histograms,
// the throughput series, a listener-free hot path) against the reference, a bare loop making the
// same clock calls a run makes per request (performance.now at send and at completion, Date.now
// for the series) over the same inputs. Prints ns per sample for both and the ratio.
import { ENDPOINTS, LoadStats, OUTCOMES } from '../agent/load/index.js';

const N = Number(process.argv[2] ?? 2_000_000);
const ROUNDS = Number(process.argv[3] ?? 5);

// Inputs made once: log-normal-ish latencies from 0.2 ms to ~2 s, 95 % ok, endpoints round-robin.
const lat = new Float64Array(65_536);
const ep = new Uint8Array(65_536);
const oc = new Uint8Array(65_536);
let seed = 42;
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
for (let i = 0; i < lat.length; i++) {
  lat[i] = 200 * Math.exp(rnd() * 9);
  ep[i] = i % 4;
  oc[i] = rnd() < 0.95 ? 0 : 1 + Math.floor(rnd() * (OUTCOMES.length - 1));
}

function bare(n: number): number {
  let sink = 0;
  for (let i = 0; i < n; i++) {
    const j = i & 65_535;
    const sent = performance.now();
    const done = performance.now();
    sink += done - sent + Date.now() + lat[j]! + ep[j]! + oc[j]!;
  }
  return sink;
}

function recorded(stats: LoadStats, n: number): number {
  let sink = 0;
  for (let i = 0; i < n; i++) {
    const j = i & 65_535;
    const sent = performance.now();
    const done = performance.now();
    sink += done - sent;
    stats.record(ENDPOINTS[ep[j]!]!, OUTCOMES[oc[j]!]!, lat[j]!, lat[j]! * 0.8);
  }
  return sink;
}

function nsPer(work: () => unknown): number {
  const t0 = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - t0) / N;
}

const stats = new LoadStats();
bare(N / 10); // warm up both paths
recorded(stats, N / 10);
const refs: number[] = [];
const mine: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  refs.push(nsPer(() => bare(N)));
  mine.push(nsPer(() => recorded(stats, N)));
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ref = median(refs);
const rec = median(mine);
const mem = process.memoryUsage();
console.log(`samples per round        ${N} x ${ROUNDS} rounds (median)`);
console.log(`bare loop (3 clock calls) ${ref.toFixed(1)} ns/sample`);
console.log(`with LoadStats.record     ${rec.toFixed(1)} ns/sample`);
console.log(`recorder overhead         ${(rec - ref).toFixed(1)} ns/sample`);
console.log(`ratio                     ${(rec / ref).toFixed(2)}x the bare loop`);
console.log(`recorded                  ${stats.totals().requests} requests; heap ${(mem.heapUsed / 2 ** 20).toFixed(1)} MiB, rss ${(mem.rss / 2 ** 20).toFixed(1)} MiB`);
