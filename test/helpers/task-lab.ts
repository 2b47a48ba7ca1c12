// A task lab for tests: an in-process NS (with its tickle server) and Task Server on ephemeral
// ports, plus a JSON client for the task admin API. Everything over real loopback sockets.
import { createLogger } from '../../shared/log.js';
import { createTaskServer, type TaskServer, type TsAddresses } from '../../server/ts/task-server.js';
import type { TaskServerOptions } from '../../server/ts/options.js';
import type { NsOptions } from '../../server/ns/options.js';
import { sendAdmin, startTestNs, type TestNs } from './ns.js';
import { waitUntil } from './wait.js';

export const quietLog = createLogger({ level: process.env['SMP_TEST_LOG'] ?? 'silent' });

export interface TaskLab {
  readonly ns: TestNs;
  readonly ts: TaskServer;
  readonly tsAddr: TsAddresses;
  readonly tsUrl: string;
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }>;
  close(): Promise<void>;
}

export async function startTaskLab(opts: { ns?: NsOptions; ts?: Partial<TaskServerOptions>; waitLink?: boolean } = {}): Promise<TaskLab> {
  const ns = await startTestNs({ store: 'memory', logger: quietLog, ...opts.ns });
  const ts = createTaskServer({
    nsUrl: ns.http, httpPort: 0, channelPort: 0, remotingPorts: [0, 0], bind: '127.0.0.1', logger: quietLog,
    nsRetryMs: 100, reportIntervalMs: 20, ...opts.ts,
  });
  const tsAddr = await ts.listen();
  if (opts.waitLink ?? true) await waitUntil(() => ts.nsLinkUp(), 'the TS to register with the NS and link to its tickle server', 10_000);
  const api = async <T>(method: string, path: string, body?: unknown) => {
    const r = await sendAdmin(ns.http, `/Altiris/Console/api${path}`, {
      method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: r.status, json: JSON.parse(r.text) as T };
  };
  return {
    ns, ts, tsAddr, tsUrl: `http://127.0.0.1:${tsAddr.http.port}`, api,
    async close() {
      await ts.close();
      await ns.close();
    },
  };
}
