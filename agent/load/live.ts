// Live output of a load run, a listener of the recorder: on a TTY a progress bar (cli-progress) with
// a one-line summary; elsewhere (CI logs, pipes) a plain line every few seconds. Warns when the
// generator itself falls behind its schedule. It only reads the recorder; it never measures.
import type { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import { OUTCOMES, ENDPOINTS } from './outcome.js';
import { newHistogram, type LoadStats, type LoadWindow } from './stats.js';

export interface LiveOutputOptions {
  readonly stats: LoadStats;
  readonly stream: Writable & { isTTY?: boolean };
  /** Planned run length (ms): draws a bar on a TTY; without it only the summary line. */
  readonly durationMs?: number;
  /** Ms between updates (default 1000 on a TTY, 5000 otherwise). */
  readonly intervalMs?: number;
  /** Generator lag (ms) above which a window warns (default 100). */
  readonly lagWarnMs?: number;
  /** Forces the plain form even on a TTY. */
  readonly plain?: boolean;
}

export interface LiveOutput {
  /** Stops updating (the bar is left on screen). */
  stop(): void;
  /** Warnings written so far (generator behind). */
  readonly warnings: number;
}

function p99Ms(stats: LoadStats): number {
  const h = newHistogram();
  for (const e of ENDPOINTS) { const x = stats.histogram(e, 'ok'); if (x) h.add(x); }
  const p99 = h.totalCount ? Math.round(h.getValueAtPercentile(99) / 100) / 10 : 0;
  h.destroy();
  return p99;
}

/** The generator's own lag (ms) above which a window counts as "generator behind". */
export const LAG_WARN_MS = 100;

/**
 * The one-line summary of the run so far plus the last window (from stats.takeWindow()); ends in
 * "GENERATOR BEHIND" when the generator's own lag in the window exceeded `lagWarnMs`.
 */
export function liveLine(stats: LoadStats, w: LoadWindow, lagWarnMs = LAG_WARN_MS): string {
  const t = stats.totals();
  const rps = w.ms > 0 ? Math.round((w.requests * 1000) / w.ms) : 0;
  const errs = OUTCOMES.filter((o) => o !== 'ok').map((o) => [o, ENDPOINTS.reduce((a, e) => a + stats.count(e, o), 0)] as const)
    .filter(([, n]) => n > 0).map(([o, n]) => `${o} ${n}`).join(' ');
  const elapsed = Math.round((stats.now() - stats.startedAt) / 1000);
  return `${elapsed}s ${t.requests} req (${rps}/s) ok ${t.ok} err ${t.errors}${errs ? ` [${errs}]` : ''}`
    + `${t.dropped ? ` dropped ${t.dropped}` : ''} p99 ${p99Ms(stats)} ms lag ${Math.round(w.lagMaxUs / 1000)} ms`
    + `${w.lagMaxUs > lagWarnMs * 1000 ? ' GENERATOR BEHIND' : ''}`;
}

export function startLiveOutput(o: LiveOutputOptions): LiveOutput {
  const tty = Boolean(o.stream.isTTY) && !o.plain;
  const every = o.intervalMs ?? (tty ? 1000 : 5000);
  const warnMs = o.lagWarnMs ?? LAG_WARN_MS;
  let warnings = 0;
  let bar: cliProgress.SingleBar | null = null;
  const totalS = o.durationMs ? Math.max(1, Math.round(o.durationMs / 1000)) : 0;
  if (tty) {
    bar = new cliProgress.SingleBar({
      stream: o.stream as NodeJS.WritableStream, hideCursor: false, clearOnComplete: false, fps: 2, etaBuffer: 30,
      format: totalS ? '{bar} {percentage}% | {line}' : '{line}',
    }, cliProgress.Presets.shades_classic);
    bar.start(totalS || 1, 0, { line: 'starting' });
  }
  const update = (): void => {
    const w = o.stats.takeWindow();
    const behind = w.lagMaxUs > warnMs * 1000;
    if (behind) warnings += 1;
    const line = liveLine(o.stats, w, warnMs);
    if (bar) {
      const elapsed = Math.round((o.stats.now() - o.stats.startedAt) / 1000);
      bar.update(totalS ? Math.min(totalS, elapsed) : 0, { line });
    } else {
      o.stream.write(`load ${line}\n`);
    }
    if (behind && !bar) {
      o.stream.write(`warning: the generator is up to ${Math.round(w.lagMaxUs / 1000)} ms behind its own schedule (not the server): `
        + 'its latency figures include that delay; lower --rate or spread the fleet over more shards\n');
    }
  };
  const timer = setInterval(update, every);
  timer.unref();
  let stopped = false;
  return {
    get warnings() { return warnings; },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (bar) {
        update();
        bar.stop();
      }
    },
  };
}
