// Moves SQLite's WAL checkpoints off the event loop: the NS connection stops checkpointing
// (wal_autocheckpoint = 0) and a worker thread with its own connection checkpoints every interval.
// If the worker fails, the NS connection checkpoints by itself again; the WAL never grows unbounded.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Db } from './database.js';

export interface Checkpointer {
  /** Checkpoints the worker has run. */
  readonly runs: () => number;
  stop(): Promise<void>;
}

const AUTOCHECKPOINT_PAGES = 1000;

export function startCheckpointer(db: Db, path: string, intervalMs: number, log?: Logger): Checkpointer {
  let runs = 0;
  let stopped = false;
  const fallBack = (why: string): void => {
    if (stopped || !db.open) return;
    db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    log?.warn({ why }, 'WAL checkpoint worker failed; the NS connection checkpoints by itself again');
  };
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: { path, intervalMs } });
  db.pragma('wal_autocheckpoint = 0');
  worker.on('message', (m: { type: string; message?: string }) => {
    if (m.type === 'checkpoint') runs += 1;
    else if (m.type === 'error') log?.warn({ err: m.message }, 'WAL checkpoint failed; retrying at the next interval');
  });
  worker.on('error', (err) => fallBack(err.message));
  worker.on('exit', (code) => {
    if (!stopped) fallBack(`worker exited with ${code}`);
  });
  worker.unref(); // after the listeners: adding a 'message' listener refs the worker's port again
  return {
    runs: () => runs,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.ref(); // keep the process up until the worker has closed its connection
      worker.postMessage('stop');
      await exited;
    },
  };
}
