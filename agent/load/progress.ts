// Progress of a running fleet for a person: on a TTY a cli-progress bar of agents checked in with the
// load summary of live.ts; otherwise one plain line every interval, fit for CI logs. Reads the engine
// and the recorder; never changes them.
import cliProgress from 'cli-progress';
import type { Writable } from 'node:stream';
import { liveLine } from './live.js';
import type { RunningFleet } from './runner.js';

export interface ProgressOptions {
  readonly out: Writable & { isTTY?: boolean };
  readonly everyMs?: number;
  /** Force plain lines even on a TTY. */
  readonly plain?: boolean;
}

/** Agents by state and tickles received, in one short phrase. */
export function fleetLine(f: RunningFleet): string {
  const s = f.engine.states();
  const r = f.inbound.received;
  return `agents ${f.stats.agents}: checked-in ${s['checked-in']}, registering ${s.unregistered + s.registered}, asleep ${s.asleep}; `
    + `tickles tcp ${r.tcp} multicast ${r.multicast} wake ${r.magic + r.relay}`;
}

/** Starts reporting; returns a function that stops it. */
export function showProgress(f: RunningFleet, o: ProgressOptions): () => void {
  if (o.out.isTTY && !o.plain) {
    const bar = new cliProgress.SingleBar({
      format: '{bar} {value}/{total} checked in | {line}', stream: o.out as NodeJS.WritableStream, hideCursor: true,
      clearOnComplete: false, barsize: 20, fps: 5,
    }, cliProgress.Presets.shades_classic);
    bar.start(f.stats.agents, 0, { line: '' });
    const timer = setInterval(() => {
      bar.update(f.engine.states()['checked-in'], { line: liveLine(f.stats, f.stats.takeWindow()) });
    }, 1000);
    return () => {
      clearInterval(timer);
      bar.stop();
    };
  }
  const timer = setInterval(() => {
    o.out.write(`${new Date().toISOString()} ${fleetLine(f)} | ${liveLine(f.stats, f.stats.takeWindow())}\n`);
  }, o.everyMs ?? 5000);
  return () => clearInterval(timer);
}
