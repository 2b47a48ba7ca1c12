// How a client task agent finds its task server: the NS's persistent-connection settings
// (PersistentSettings.aspx), the candidate list (GetClientTaskServers.aspx with ResourceGuid,
// shares=1 and the agent's addresses), the choice by find method, and Register.aspx on the TS.
import { connect } from 'node:net';
import { decodeTaskServers, encodeAddresses, escapeXml, intAttr, parseRoot, type TaskServerDoc } from '../../shared/protocol/task-xml.js';
import type { TaskHttp } from './task-http.js';
import type { AgentRef } from './task-runner.js';

export async function fetchPersistentSettings(http: TaskHttp, nsUrl: string): Promise<{ reconnectMs: number; pollIntervalMs: number }> {
  const xml = await http.ok(nsUrl, '/Altiris/TaskManagement/CTAgent/PersistentSettings.aspx', {});
  const root = parseRoot(xml, 'persistentSettings', 64 * 1024);
  return {
    reconnectMs: intAttr(root, 'reconnectMs', 0, 86_400_000, 'persistentSettings'),
    pollIntervalMs: intAttr(root, 'pollIntervalMs', 1, 86_400_000, 'persistentSettings'),
  };
}

export async function discoverTaskServers(http: TaskHttp, nsUrl: string, agent: AgentRef): Promise<{ method: string; servers: TaskServerDoc[] }> {
  const xml = await http.ok(nsUrl, '/Altiris/TaskManagement/CTAgent/GetClientTaskServers.aspx',
    { ResourceGuid: agent.guid.toLowerCase(), shares: '1' }, encodeAddresses([agent.ip]));
  return decodeTaskServers(xml);
}

/** The NS orders FewestComputers and AvailableCapacity; FastestConnection is measured here. */
export async function chooseTaskServer(method: string, servers: readonly TaskServerDoc[], fromIp: string): Promise<TaskServerDoc | null> {
  if (servers.length === 0) return null;
  if (method !== 'FastestConnection' || servers.length === 1) return servers[0] ?? null;
  const timed = await Promise.all(servers.map(async (s) => ({ s, ms: await connectTime(s, fromIp) })));
  const reachable = timed.filter((t) => Number.isFinite(t.ms)).sort((a, b) => a.ms - b.ms);
  return reachable[0]?.s ?? null;
}

function connectTime(s: TaskServerDoc, fromIp: string, timeoutMs = 3000): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const sock = connect({ host: s.channelHost, port: s.channelPort, localAddress: fromIp, timeout: timeoutMs });
    const done = (ms: number): void => {
      sock.destroy();
      resolve(ms);
    };
    sock.once('connect', () => done(performance.now() - t0));
    sock.once('timeout', () => done(Infinity));
    sock.once('error', () => done(Infinity));
  });
}

export async function registerWithTs(http: TaskHttp, server: TaskServerDoc, agent: AgentRef): Promise<void> {
  await http.ok(server.url, '/Altiris/ClientTaskServer/Register.aspx', { ResourceGuid: agent.guid },
    `<register name="${escapeXml(agent.name)}">${encodeAddresses([agent.ip])}</register>`);
}
