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

export async function postStatus(http: TaskHttp, server: TaskServerDoc, agent: AgentRef, taskId: string,
  r: Pick<StatusDoc, 'state' | 'exitCode' | 'output'>): Promise<void> {
  const final = r.state === 'completed' || r.state === 'failed';
  const body = encodeStatus({ taskId, resourceGuid: agent.guid, state: r.state, exitCode: r.exitCode, output: r.output, at: Date.now() });
  await http.ok(server.url, `/Altiris/ClientTaskServer/${final ? 'PostStatus' : 'PostNotification'}.aspx`, { ResourceGuid: agent.guid }, body);
}
