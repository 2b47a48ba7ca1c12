// Progress of a running fleet for a person: on a TTY a cli-progress bar of agents checked in with the
// load summary of live.ts; otherwise one plain line every interval, fit for CI logs. Reads the fleet
// (one process, or the parent of worker processes) and its recorder; never changes them.
import cliProgress from 'cli-progress';
import type { Writable } from 'node:stream';
import { liveLine } from './live.js';
import type { RunningFleet } from './runner.js';
import type { LoadStats, LoadWindow } from './stats.js';
import type { WorkerFleet } from './worker-pool.js';

export interface ProgressOptions {
  readonly out: Writable & { isTTY?: boolean };
  readonly everyMs?: number;
  /** Force plain lines even on a TTY. */
  readonly plain?: boolean;
}

/** What progress reads: agents by state, tickles received, the recorder and its window. */
export interface ProgressSource {
  readonly agents: number;
  states(): Readonly<Record<string, number>>;
  received(): Readonly<Record<string, number>>;
  stats(): LoadStats;
  takeWindow(): LoadWindow;
  /** Extra words for the plain line (e.g. worker processes). */
  note?(): string;
}

export function progressOfFleet(f: RunningFleet): ProgressSource {
  return { agents: f.stats.agents, states: () => f.engine.states(), received: () => f.inbound.received, stats: () => f.stats, takeWindow: () => f.stats.takeWindow() };
}

export function progressOfWorkers(f: WorkerFleet): ProgressSource {
  return { agents: f.slice.end - f.slice.start, states: () => f.states(), received: () => f.inbound.received, stats: () => f.merged(), takeWindow: () => f.takeWindow(),
    note: () => {
      const rss = f.rss();
      return `; ${f.workers} workers${f.failures.length ? ` (${f.failures.length} FAILED)` : ''}, rss ${Math.round((rss.workers + rss.parent) / 2 ** 20)} MiB`;
    } };
}

const n = (s: Readonly<Record<string, number>>, k: string): number => s[k] ?? 0;

/** Agents by state and tickles received, in one short phrase. */
export function fleetLine(f: ProgressSource): string {
  const s = f.states();
  const r = f.received();
  return `agents ${f.agents}: checked-in ${n(s, 'checked-in')}, registering ${n(s, 'unregistered') + n(s, 'registered')}, asleep ${n(s, 'asleep')}; `
    + `tickles tcp ${n(r, 'tcp')} multicast ${n(r, 'multicast')} wake ${n(r, 'magic') + n(r, 'relay')}${f.note?.() ?? ''}`;
}

/** Starts reporting; returns a function that stops it. */
export function showProgress(f: ProgressSource, o: ProgressOptions): () => void {
  if (o.out.isTTY && !o.plain) {
    const bar = new cliProgress.SingleBar({
      format: '{bar} {value}/{total} checked in | {line}', stream: o.out as NodeJS.WritableStream, hideCursor: true,
      clearOnComplete: false, barsize: 20, fps: 5,
    }, cliProgress.Presets.shades_classic);
    bar.start(f.agents, 0, { line: '' });
    const timer = setInterval(() => {
      bar.update(n(f.states(), 'checked-in'), { line: liveLine(f.stats(), f.takeWindow()) });
    }, 1000);
    return () => {
      clearInterval(timer);
      bar.stop();
    };
  }
  const timer = setInterval(() => {
    o.out.write(`${new Date().toISOString()} ${fleetLine(f)} | ${liveLine(f.stats(), f.takeWindow())}\n`);
  }, o.everyMs ?? 5000);
  return () => clearInterval(timer);
}
