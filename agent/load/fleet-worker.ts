// A fleet worker process (forked by worker-pool.ts): runs one disjoint shard of the fleet with no
// listeners of its own, reports a tick (shard file so far, agents by state, RSS) every second, obeys
// tickles/wakes routed by the parent and, on "stop" or when the parent goes away, stops and sends its
// final shard file. It never prints and never outlives its parent; Ctrl-C is the parent's to handle.
import { createLoadMetrics } from './metrics.js';
import { startFleet, type RunningFleet } from './runner.js';
import { encodeShard } from './shard-file.js';
import { InboundKind, VIA, type FromWorker, type ToWorker } from './worker-messages.js';

const send = (m: FromWorker, then?: () => void): void => {
  if (process.connected) process.send!(m, undefined, {}, () => then?.());
  else then?.();
};

let fleet: RunningFleet | null = null;
let tickTimer: NodeJS.Timeout | null = null;
let stopping = false;
let tick: (() => Promise<void>) | null = null;

async function start(m: Extract<ToWorker, { t: 'start' }>): Promise<void> {
  const o = m.options;
  fleet = await startFleet({ ...o, noListen: true, ...(o.ca ? { ca: o.ca } : {}) });
  const f = fleet;
  const packages = f.engine.packageMulticast?.counters;
  const registry = m.metrics ? createLoadMetrics({ stats: f.stats, states: () => f.engine.states(), ...(packages ? { packages } : {}) }).registry : null;
  tick = async () => {
    if (stopping) return;
    const w = f.stats.takeWindow();
    const metrics = registry ? await registry.getMetricsAsJSON() : undefined;
    send({ t: 'tick', shard: JSON.stringify(encodeShard(f.stats)), window: { requests: w.requests, errors: w.errors, dropped: w.dropped, lagMaxUs: w.lagMaxUs },
      states: f.engine.states(), rss: process.memoryUsage.rss(), idleSockets: f.engine.http.idleSockets, ...(metrics ? { metrics } : {}) });
  };
  tickTimer = setInterval(() => void tick?.(), m.tickMs);
  send({ t: 'ready', agents: f.slice.end - f.slice.start, keys: { path: f.keys.path, generated: f.keys.generated } });
}

function inbound(items: number[]): void {
  const e = fleet?.engine;
  if (!e) return;
  for (let i = 0; i + 2 < items.length; i += 3) {
    const k = items[i]!;
    if (k < 0 || k >= e.size) continue;
    const via = VIA[items[i + 2]! >> 16] ?? 'tcp';
    if (items[i + 1] === InboundKind.WAKE) e.onWake(k, via);
    else e.onTickle(k, items[i + 2]! & 0xffff, via);
  }
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (tickTimer) clearInterval(tickTimer);
  if (!fleet) return process.exit(0);
  const stats = await fleet.stop();
  const rss = process.memoryUsage.rss();
  send({ t: 'final', shard: JSON.stringify(encodeShard(stats)), rss }, () => process.exit(0));
}

// Ctrl-C reaches the whole process group: the parent decides when workers stop.
process.on('SIGINT', () => {});
process.on('disconnect', () => void stop());
process.on('message', (raw: unknown) => {
  const m = raw as ToWorker;
  if (m.t === 'start') {
    start(m).catch((err: unknown) => send({ t: 'error', message: err instanceof Error ? err.message : String(err) }, () => process.exit(1)));
  } else if (m.t === 'inbound') {
    inbound(m.items);
  } else if (m.t === 'stop') {
    void stop();
  }
});
