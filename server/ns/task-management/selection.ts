// Orders candidate task servers for an agent by the configured find method (KB 150990):
// FewestComputers (fewest registered clients first), AvailableCapacity (most free client slots
// weighted by shares first), FastestConnection (the agent measures; the NS keeps least-loaded order).
// Pure; never drops a server (the agent skips the ones it cannot reach).
import type { TaskServerDoc } from '../../../shared/protocol/task-xml.js';
import type { ServerFindMethod } from './options.js';

export function orderTaskServers(method: ServerFindMethod, servers: readonly TaskServerDoc[]): TaskServerDoc[] {
  const free = (s: TaskServerDoc): number => Math.max(0, s.maxClients - s.clients);
  const byName = (a: TaskServerDoc, b: TaskServerDoc): number => a.name.localeCompare(b.name) || a.guid.localeCompare(b.guid);
  const list = [...servers];
  if (method === 'AvailableCapacity') return list.sort((a, b) => free(b) * b.shares - free(a) * a.shares || byName(a, b));
  return list.sort((a, b) => a.clients - b.clients || byName(a, b));
}
