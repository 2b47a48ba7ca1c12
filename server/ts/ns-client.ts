// The TS's HTTP calls to its Notification Server (/Altiris/TaskManagement/ClientTask/*):
// RegisterTaskServer, GetTaskVersion and ReportTaskData. Bounded timeouts; a failed call is a typed
// error for the caller to retry; never retries or sleeps itself.
import { smpError } from '../../shared/errors.js';
import {
  decodeTaskList, encodeStatusBatch, encodeTaskServers, intAttr, parseRoot, type StatusDoc, type TaskDoc, type TaskServerDoc,
} from '../../shared/protocol/task-xml.js';

const BASE = '/Altiris/TaskManagement/ClientTask';

export interface Registration {
  /** NS tickle server port (50123 after overrides); 0 when the NS runs none (the TS then polls). */
  readonly ticklePort: number;
  readonly taskVersion: number;
}

export class NsClient {
  constructor(readonly nsUrl: string, private readonly timeoutMs = 10_000) {}

  private async call(page: string, init: { method: 'GET' | 'POST'; query?: Record<string, string>; body?: string }): Promise<string> {
    const url = new URL(`${BASE}/${page}`, this.nsUrl);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await fetch(url, {
        method: init.method, signal: AbortSignal.timeout(this.timeoutMs),
        ...(init.body !== undefined ? { body: init.body, headers: { 'content-type': 'application/xml' } } : {}),
      });
    } catch (err) {
      throw smpError('TIMEOUT', `NS ${page}: ${(err as Error).message}`, { url: url.toString() }, err);
    }
    const text = await res.text();
    if (!res.ok) throw smpError('BAD_INPUT', `NS ${page} answered ${res.status}: ${text.slice(0, 200)}`, { status: res.status });
    return text;
  }

  async register(ts: TaskServerDoc): Promise<Registration> {
    const xml = await this.call('RegisterTaskServer.aspx', { method: 'POST', body: encodeTaskServers('', [ts]) });
    const root = parseRoot(xml, 'registered');
    return {
      ticklePort: intAttr(root, 'ticklePort', 0, 65535, 'registered'),
      taskVersion: intAttr(root, 'taskVersion', 0, 2 ** 32 - 1, 'registered'),
    };
  }

  async tasksSince(tsGuid: string, since: number): Promise<{ version: number; tasks: TaskDoc[] }> {
    const xml = await this.call('GetTaskVersion.aspx', { method: 'GET', query: { TaskServerGuid: tsGuid, since: String(since) } });
    return decodeTaskList(xml);
  }

  async report(tsGuid: string, batch: readonly StatusDoc[]): Promise<void> {
    if (batch.length === 0) return;
    await this.call('ReportTaskData.aspx', { method: 'POST', body: encodeStatusBatch(tsGuid, batch) });
  }
}

export function hostOf(url: string): string {
  const h = new URL(url).hostname;
  return h.startsWith('[') ? h.slice(1, -1) : h;
}
