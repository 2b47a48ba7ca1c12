// XML bodies of the task pages (smp-lab v1; the real element names are not public): task lists
// (GetTasks.aspx, GetTaskVersion.aspx), task statuses (PostStatus.aspx, ReportTaskData.aspx) and
// task-server lists (GetClientTaskServers.aspx). Pure; bounded input; bad input is a BAD_XML error.
import { XMLParser } from 'fast-xml-parser';
import { smpError } from '../errors.js';
import { normalizeGuid } from './guid-bytes.js';

export const TASK_TYPES = ['script', 'power', 'inventory'] as const;
export type TaskKind = (typeof TASK_TYPES)[number];
export const POWER_ACTIONS = ['restart', 'shutdown', 'logoff'] as const;
export const TASK_STATES = ['received', 'running', 'completed', 'failed'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const MAX_SCRIPT_BYTES = 16 * 1024;
export const MAX_OUTPUT_BYTES = 4096;

export interface TaskDoc {
  readonly id: string;
  readonly version: number;
  readonly type: TaskKind;
  readonly name: string;
  readonly script: string;
  readonly action: string;
  readonly durationMs: number;
  readonly exitCode: number;
  readonly output: string;
  /** Agent GUIDs, or null for "all" (absent from lists sent to agents). */
  readonly targets: readonly string[] | null;
  /** Items to fetch with GetTaskItems.aspx: 1 when a task list left the script out (smp-lab). */
  readonly items?: number;
}

export interface StatusDoc {
  readonly taskId: string;
  readonly resourceGuid: string;
  readonly state: TaskState;
  readonly exitCode: number | null;
  readonly output: string;
  readonly at: number;
}

export interface TaskServerDoc {
  readonly guid: string;
  readonly name: string;
  /** Base URL of the TS pages and the host and port of its 50124 channel (smp-lab additions). */
  readonly url: string;
  readonly channelHost: string;
  readonly channelPort: number;
  readonly shares: number;
  readonly clients: number;
  readonly maxClients: number;
}

export const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

const ARRAYS = new Set(['task', 'target', 'status', 'taskServer', 'address']);
const parser = new XMLParser({
  ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false,
  trimValues: false, processEntities: true, htmlEntities: false, ignoreDeclaration: true, ignorePiTags: true,
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ARRAYS.has(name),
});

type Node = Record<string, unknown>;

/** Parses a bounded document and returns its root element `root`. */
export function parseRoot(xml: string, root: string, maxBytes = 8 * 1024 * 1024): Node {
  if (Buffer.byteLength(xml) > maxBytes) throw smpError('TOO_LARGE', `${root}: document larger than ${maxBytes} bytes`);
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw smpError('BAD_XML', `${root}: DTDs and entities are not accepted`);
  let doc: unknown;
  try {
    doc = parser.parse(xml, true);
  } catch (err) {
    throw smpError('BAD_XML', `${root}: not well-formed XML (${(err as Error).message.split('\n')[0]})`);
  }
  const found = (doc as Node)[root];
  const node: unknown = Array.isArray(found) ? found[0] : found;
  if (node === undefined) throw smpError('BAD_XML', `expected a <${root}> document`);
  return typeof node === 'object' && node !== null ? (node as Node) : {};
}

const str = (n: Node, k: string): string => (typeof n[k] === 'string' ? (n[k] as string) : '');
const text = (n: Node, k: string): string => {
  const v = n[k];
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object' && typeof (v as Node)['#text'] === 'string') return (v as Node)['#text'] as string;
  return '';
};
export function intAttr(n: Node, k: string, min: number, max: number, what: string): number {
  const v = Number(str(n, k));
  if (str(n, k) === '' || !Number.isInteger(v) || v < min || v > max) {
    throw smpError('BAD_XML', `${what}: attribute ${k}=${JSON.stringify(str(n, k).slice(0, 20))} is not an integer from ${min} to ${max}`);
  }
  return v;
}
const list = (n: Node | undefined, k: string): Node[] => (n && Array.isArray(n[k]) ? (n[k] as Node[]) : []);

/** `itemsOnly`: list the task without its script, marked items="1" for GetTaskItems.aspx. */
export function encodeTask(t: TaskDoc, withTargets: boolean, itemsOnly = false): string {
  const targets = !withTargets ? ''
    : t.targets === null ? '<targets all="true"/>'
      : `<targets>${t.targets.map((g) => `<target guid="{${g}}"/>`).join('')}</targets>`;
  return `<task id="{${t.id}}" version="${t.version}" type="${t.type}" name="${escapeXml(t.name)}" action="${escapeXml(t.action)}" ` +
    `durationMs="${t.durationMs}" exitCode="${t.exitCode}"${itemsOnly ? ' items="1"' : ''}><script>${itemsOnly ? '' : escapeXml(t.script)}</script>` +
    `<output>${escapeXml(t.output)}</output>${targets}</task>`;
}

export function encodeTaskList(tasks: readonly TaskDoc[], version: number, withTargets: boolean): string {
  return `<tasks version="${version}">${tasks.map((t) => encodeTask(t, withTargets)).join('')}</tasks>`;
}

export function decodeTaskList(xml: string): { version: number; tasks: TaskDoc[] } {
  const root = parseRoot(xml, 'tasks');
  const version = intAttr(root, 'version', 0, 2 ** 32 - 1, 'tasks');
  return { version, tasks: list(root, 'task').map(decodeTask) };
}

function decodeTask(n: Node): TaskDoc {
  const type = str(n, 'type');
  if (!(TASK_TYPES as readonly string[]).includes(type)) throw smpError('BAD_XML', `task: type ${JSON.stringify(type.slice(0, 20))} is not one of ${TASK_TYPES.join(', ')}`);
  const targetsNode = n['targets'] as Node | undefined;
  const all = targetsNode === undefined || str(targetsNode ?? {}, 'all') === 'true';
  return {
    id: normalizeGuid(str(n, 'id')),
    version: intAttr(n, 'version', 0, 2 ** 32 - 1, 'task'),
    type: type as TaskKind,
    name: str(n, 'name'),
    action: str(n, 'action'),
    durationMs: intAttr(n, 'durationMs', 0, 86_400_000, 'task'),
    exitCode: intAttr(n, 'exitCode', -2147483648, 4294967295, 'task'),
    script: text(n, 'script'),
    output: text(n, 'output'),
    targets: all ? null : list(targetsNode, 'target').map((g) => normalizeGuid(str(g, 'guid'))),
    ...(str(n, 'items') === '' ? {} : { items: intAttr(n, 'items', 0, 64, 'task') }),
  };
}

export function encodeStatus(s: StatusDoc): string {
  return `<status taskId="{${s.taskId}}" resourceGuid="{${s.resourceGuid}}" state="${s.state}" ` +
    `${s.exitCode === null ? '' : `exitCode="${s.exitCode}" `}at="${s.at}"><output>${escapeXml(s.output)}</output></status>`;
}

export const encodeStatusBatch = (tsGuid: string, batch: readonly StatusDoc[]): string =>
  `<taskData taskServer="{${tsGuid}}">${batch.map(encodeStatus).join('')}</taskData>`;

export function decodeStatusNode(n: Node): StatusDoc {
  const state = str(n, 'state');
  if (!(TASK_STATES as readonly string[]).includes(state)) throw smpError('BAD_XML', `status: state ${JSON.stringify(state.slice(0, 20))} is not one of ${TASK_STATES.join(', ')}`);
  const output = text(n, 'output');
  if (Buffer.byteLength(output) > MAX_OUTPUT_BYTES) throw smpError('TOO_LARGE', `status: output longer than ${MAX_OUTPUT_BYTES} bytes`);
  return {
    taskId: normalizeGuid(str(n, 'taskId')),
    resourceGuid: normalizeGuid(str(n, 'resourceGuid')),
    state: state as TaskState,
    exitCode: str(n, 'exitCode') === '' ? null : intAttr(n, 'exitCode', -2147483648, 4294967295, 'status'),
    output,
    at: str(n, 'at') === '' ? Date.now() : intAttr(n, 'at', 0, Number.MAX_SAFE_INTEGER, 'status'),
  };
}

export const decodeStatus = (xml: string): StatusDoc => decodeStatusNode(parseRoot(xml, 'status', 64 * 1024));

export function decodeStatusBatch(xml: string, max: number): { taskServer: string; statuses: StatusDoc[] } {
  const root = parseRoot(xml, 'taskData');
  const nodes = list(root, 'status');
  if (nodes.length > max) throw smpError('TOO_LARGE', `taskData: ${nodes.length} statuses; at most ${max} per post`);
  return { taskServer: normalizeGuid(str(root, 'taskServer')), statuses: nodes.map(decodeStatusNode) };
}

export function encodeTaskServers(method: string, servers: readonly TaskServerDoc[]): string {
  return `<taskServers method="${escapeXml(method)}">${servers.map((s) =>
    `<taskServer guid="{${s.guid}}" name="${escapeXml(s.name)}" url="${escapeXml(s.url)}" channelHost="${escapeXml(s.channelHost)}" ` +
    `channelPort="${s.channelPort}" shares="${s.shares}" clients="${s.clients}" maxClients="${s.maxClients}"/>`).join('')}</taskServers>`;
}

export function decodeTaskServers(xml: string): { method: string; servers: TaskServerDoc[] } {
  const root = parseRoot(xml, 'taskServers');
  return { method: str(root, 'method'), servers: list(root, 'taskServer').map(decodeTaskServerNode) };
}

export function decodeTaskServerNode(n: Node): TaskServerDoc {
  return {
    guid: normalizeGuid(str(n, 'guid')), name: str(n, 'name'), url: str(n, 'url'), channelHost: str(n, 'channelHost'),
    channelPort: intAttr(n, 'channelPort', 1, 65535, 'taskServer'), shares: intAttr(n, 'shares', 0, 1_000_000, 'taskServer'),
    clients: intAttr(n, 'clients', 0, 10_000_000, 'taskServer'), maxClients: intAttr(n, 'maxClients', 0, 10_000_000, 'taskServer'),
  };
}

/** `<addresses><address ip=".."/></addresses>`: the agent's adapters (GetClientTaskServers, Register). */
export const encodeAddresses = (ips: readonly string[]): string =>
  `<addresses>${ips.map((ip) => `<address ip="${escapeXml(ip)}"/>`).join('')}</addresses>`;

export function decodeAddresses(node: Node | undefined, max = 64): string[] {
  const ips = list(node, 'address').map((a) => str(a, 'ip')).filter((ip) => ip !== '');
  if (ips.length > max) throw smpError('BAD_XML', `addresses: ${ips.length} addresses; at most ${max}`);
  return ips;
}
