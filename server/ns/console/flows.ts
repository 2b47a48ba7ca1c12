// Admin API for the console's Flows view: every catalog flow with the port in force and the
// traffic this NS saw on it (from the live feed's counters), plus the task servers it knows.
// A flow the NS cannot observe says so (`observed: null`); it never guesses a count.
import type { FastifyInstance } from 'fastify';
import { CATALOG } from '../../../shared/catalog.js';
import type { NsContext } from '../context.js';
import type { FeedCounters } from '../console-app/feed.js';
import { TICKLE_SERVERS, taskOptions } from '../task-management/plugin.js';

interface Observed {
  readonly count: number;
  readonly unit: string;
}

type Source = (c: FeedCounters, ts: { links: number; clients: number }) => Observed;

const agentHttp: Source = (c) => ({ count: c.httpRequests, unit: 'HTTP requests' });
const agentHttps: Source = (c) => ({ count: c.httpsRequests, unit: 'HTTPS requests' });
const tickles: Source = (c) => ({ count: c.tickles, unit: 'TCP tickles sent' });
const multicast: Source = (c) => ({ count: c.multicastTickles + c.wakes, unit: 'datagrams sent' });

/** Which feed counter stands for each flow the NS takes part in; the agent-side rows share the NS's. */
const SOURCES: Record<string, Source> = {
  'ns-agent-http': agentHttp, 'win32-http': agentHttp, 'ulm-ns-http': agentHttp,
  'ns-agent-https': agentHttps, 'win32-https': agentHttps, 'ulm-ns-https': agentHttps,
  'ns-tickle': tickles, 'win32-power-tcp': tickles, 'ulm-tickle': tickles,
  'ns-multicast': multicast, 'win32-power-multicast': multicast, 'ulm-multicast': multicast,
  'win32-pkg-http': (c) => ({ count: c.packageDownloads - c.packageDownloadsTls, unit: 'package files sent' }),
  'win32-pkg-https': (c) => ({ count: c.packageDownloadsTls, unit: 'package files sent' }),
  'ts-tickle-server': (_c, ts) => ({ count: ts.links, unit: 'task servers linked now' }),
  'ts-agent-channel': (_c, ts) => ({ count: ts.clients, unit: 'agents on task servers now' }),
};

export function registerFlowRoutes(scope: FastifyInstance, ctx: NsContext): void {
  const opts = taskOptions(ctx);
  scope.get('/flows', async () => {
    const now = Date.now();
    const servers = ctx.store.tasks.taskServers(Number.MAX_SAFE_INTEGER);
    const linked = TICKLE_SERVERS.get(ctx)?.connected() ?? [];
    const taskServers = servers.map((s) => ({
      ...s, live: now - s.updatedAt <= opts.taskServerTtlMs, linked: linked.includes(s.guid),
    }));
    const ts = { links: linked.length, clients: taskServers.filter((s) => s.live).reduce((n, s) => n + s.clients, 0) };
    const counters = ctx.feed.totals();
    const map = ctx.options.ports;
    const flows = CATALOG.map((f) => {
      const source = SOURCES[f.id];
      const observed = source?.(counters, ts) ?? null;
      return {
        id: f.id, system: f.system, component: f.component, from: f.initiator, to: f.listener, transport: f.transport,
        port: map?.has(f.id) ? map.flow(f.id).port : f.port, purpose: f.purpose, observable: source !== undefined,
        observed: observed !== null && observed.count > 0 ? observed : null,
      };
    });
    return { flows, taskServers };
  });
}
