// The agent's work pages on its task server: GetTasks.aspx (what is waiting for me),
// GetTaskItems.aspx (the bodies GetTasks left out) and PostStatus.aspx / PostNotification.aspx
// (final status / progress). Thin: build, call, decode.
import { decodeTaskList, encodeStatus, type StatusDoc, type TaskDoc, type TaskServerDoc } from '../../shared/protocol/task-xml.js';
import type { TaskHttp } from './task-http.js';
import type { AgentRef } from './task-runner.js';

export async function fetchTasks(http: TaskHttp, server: TaskServerDoc, agent: AgentRef): Promise<TaskDoc[]> {
  const xml = await http.ok(server.url, '/Altiris/ClientTaskServer/GetTasks.aspx', { ResourceGuid: agent.guid });
  return decodeTaskList(xml).tasks;
}

/** The full tasks for ids GetTasks listed with items="n" (at most 64 ids per call, as the page takes). */
export async function fetchTaskItems(http: TaskHttp, server: TaskServerDoc, agent: AgentRef, ids: readonly string[]): Promise<TaskDoc[]> {
  const out: TaskDoc[] = [];
  for (let i = 0; i < ids.length; i += 64) {
    const xml = await http.ok(server.url, '/Altiris/ClientTaskServer/GetTaskItems.aspx',
      { ResourceGuid: agent.guid, TaskIds: ids.slice(i, i + 64).map((id) => `{${id}}`).join(',') });
    out.push(...decodeTaskList(xml).tasks);
  }
  return out;
}

/**
 * Tasks GetTasks listed with items="n" get their bodies from GetTaskItems.aspx (smp-lab, protocol.md
 * 4.6); a listed task whose body did not come back is left out (it is listed again next time).
 */
export async function withItems(http: TaskHttp, server: TaskServerDoc, agent: AgentRef, tasks: readonly TaskDoc[]): Promise<{ tasks: TaskDoc[]; fetched: string[] }> {
  const ids = tasks.filter((t) => (t.items ?? 0) > 0).map((t) => t.id);
  if (ids.length === 0) return { tasks: [...tasks], fetched: [] };
  const full = new Map((await fetchTaskItems(http, server, agent, ids)).map((t) => [t.id, t]));
  return { tasks: tasks.map((t) => full.get(t.id) ?? t).filter((t) => (t.items ?? 0) === 0 || full.has(t.id)), fetched: ids };
}

export async function postStatus(http: TaskHttp, server: TaskServerDoc, agent: AgentRef, taskId: string,
  r: Pick<StatusDoc, 'state' | 'exitCode' | 'output'>): Promise<void> {
  const final = r.state === 'completed' || r.state === 'failed';
  const body = encodeStatus({ taskId, resourceGuid: agent.guid, state: r.state, exitCode: r.exitCode, output: r.output, at: Date.now() });
  await http.ok(server.url, `/Altiris/ClientTaskServer/${final ? 'PostStatus' : 'PostNotification'}.aspx`, { ResourceGuid: agent.guid }, body);
}
