// Progress of a running fleet for a person: on a TTY a cli-progress bar (agents checked in of the
// fleet) with a live one-line summary; otherwise one plain line every interval, fit for CI logs.
// Reads the engine and statistics; never changes them.
import cliProgress from 'cli-progress';
import type { Writable } from 'node:stream';
import type { RunningFleet } from './runner.js';

export interface ProgressOptions {
  readonly out: Writable & { isTTY?: boolean };
  readonly everyMs?: number;
  /** Force plain lines even on a TTY. */
  readonly plain?: boolean;
}

export function liveLine(f: RunningFleet, prev: { requests: number; at: number }): { text: string; requests: number; at: number } {
  const s = f.engine.states();
  const t = f.stats.totals();
  const now = performance.now();
  const rps = ((t.requests - prev.requests) * 1000) / Math.max(1, now - prev.at);
  const p99 = f.stats.latency.get('get-client-policies');
  const tick = f.inbound.received;
  const text = `agents ${f.stats.agents}: checked-in ${s['checked-in']}, registering ${s.unregistered + s.registered}, asleep ${s.asleep} | `
    + `${rps.toFixed(0)} req/s, ${t.requests} requests, ${t.errors} errors | check-in p99 ${p99 && p99.totalCount ? (p99.getValueAtPercentile(99) / 1000).toFixed(1) : '-'} ms | `
    + `tickles tcp ${tick.tcp} mcast ${tick.multicast} wake ${tick.magic}`;
  return { text, requests: t.requests, at: now };
}

/** Starts reporting; returns a function that stops it. */
export function showProgress(f: RunningFleet, o: ProgressOptions): () => void {
  let prev = { requests: 0, at: performance.now() };
  if (o.out.isTTY && !o.plain) {
    const bar = new cliProgress.SingleBar({
      format: '{bar} {value}/{total} checked in | {line}', stream: o.out as NodeJS.WritableStream, hideCursor: true, clearOnComplete: false,
      barsize: 20, fps: 5,
    }, cliProgress.Presets.shades_classic);
    bar.start(f.stats.agents, 0, { line: '' });
    const timer = setInterval(() => {
      const l = liveLine(f, prev);
      prev = l;
      bar.update(f.engine.states()['checked-in'], { line: l.text.split(' | ').slice(1).join(' | ') });
    }, 1000);
    return () => {
      clearInterval(timer);
      bar.stop();
    };
  }
  const timer = setInterval(() => {
    const l = liveLine(f, prev);
    prev = l;
    o.out.write(`${new Date().toISOString()} ${l.text}\n`);
  }, o.everyMs ?? 5000);
  return () => clearInterval(timer);
}
