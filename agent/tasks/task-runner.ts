// What a simulated agent does with one task: a script runs for its drawn duration and ends with
// its drawn exit code and output; a power action is reported and then acted out on the agent's
// links; "inventory now" posts a basic inventory NSE to the NS. Never runs anything on the host.
import { encodeNse } from '../../shared/protocol/nse.js';
import type { StatusDoc, TaskDoc } from '../../shared/protocol/task-xml.js';
import type { TaskHttp } from './task-http.js';

/** Lab GUIDs (smp-lab's own) of the event target and the identification data class. */
export const LAB_INVENTORY_TO = '1592B913-72F3-4C36-91D2-D4EDA21D2F96';
export const LAB_IDENTIFICATION_CLASS = '{9ED606E2-8080-4D39-A394-E2CD07D4C8FF}';
const COMPUTER_TYPE = '493435F7-3B17-4C4C-B07F-C23E7AB7781F';

export interface AgentRef {
  readonly guid: string;
  readonly name: string;
  readonly ip: string;
}

/** Hooks an embedding lifecycle may give; the defaults below are used otherwise. */
export interface TaskHooks {
  /** Sends inventory now; resolves with a one-line result for the task output. */
  inventory?(agent: AgentRef): Promise<string>;
}

export type RunResult = Pick<StatusDoc, 'state' | 'exitCode' | 'output'>;

export async function runTask(task: TaskDoc, agent: AgentRef, nsUrl: string, http: TaskHttp, hooks: TaskHooks): Promise<RunResult> {
  switch (task.type) {
    case 'script':
      return { state: task.exitCode === 0 ? 'completed' : 'failed', exitCode: task.exitCode, output: task.output };
    case 'power':
      return { state: 'completed', exitCode: 0, output: `power action ${task.action} accepted by ${agent.name}` };
    case 'inventory': {
      try {
        const line = hooks.inventory ? await hooks.inventory(agent) : await postBasicInventory(agent, nsUrl, http);
        return { state: 'completed', exitCode: 0, output: line };
      } catch (err) {
        return { state: 'failed', exitCode: 1, output: `inventory failed: ${(err as Error).message}` };
      }
    }
  }
}

async function postBasicInventory(agent: AgentRef, nsUrl: string, http: TaskHttp): Promise<string> {
  const nse = encodeNse({
    to: `{${LAB_INVENTORY_TO}}`, priority: 1, msgId: null, kind: 'inventory',
    inventory: {
      resources: [{ ref: '0', typeGuid: COMPUTER_TYPE, name: agent.name, guid: agent.guid }],
      classes: [{ id: LAB_IDENTIFICATION_CLASS, rows: [{ resourceRef: '0', columns: [agent.name, '', agent.ip] }] }],
    },
  });
  const a = await http.call(nsUrl, '/Altiris/NS/Agent/PostEvent.aspx', {}, nse);
  if (a.status < 200 || a.status > 299) throw new Error(`PostEvent.aspx answered ${a.status}`);
  return `inventory posted to the NS (HTTP ${a.status})`;
}
