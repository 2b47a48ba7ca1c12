// The agent's work pages on its task server: GetTasks.aspx (what is waiting for me) and
// PostStatus.aspx / PostNotification.aspx (final status / progress). Thin: build, call, decode.
import { decodeTaskList, encodeStatus, type StatusDoc, type TaskDoc, type TaskServerDoc } from '../../shared/protocol/task-xml.js';
import type { TaskHttp } from './task-http.js';
import type { AgentRef } from './task-runner.js';

export async function fetchTasks(http: TaskHttp, server: TaskServerDoc, agent: AgentRef): Promise<TaskDoc[]> {
  const xml = await http.ok(server.url, '/Altiris/ClientTaskServer/GetTasks.aspx', { ResourceGuid: agent.guid });
  return decodeTaskList(xml).tasks;
}

export async function postStatus(http: TaskHttp, server: TaskServerDoc, agent: AgentRef, taskId: string,
  r: Pick<StatusDoc, 'state' | 'exitCode' | 'output'>): Promise<void> {
  const final = r.state === 'completed' || r.state === 'failed';
  const body = encodeStatus({ taskId, resourceGuid: agent.guid, state: r.state, exitCode: r.exitCode, output: r.output, at: Date.now() });
  await http.ok(server.url, `/Altiris/ClientTaskServer/${final ? 'PostStatus' : 'PostNotification'}.aspx`, { ResourceGuid: agent.guid }, body);
}
