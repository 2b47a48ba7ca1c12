// Console actions through the admin API (the same routes the CLI uses): tickle, wake, registration
// decisions and tasks. Each returns what the NS answered; the caller shows it.
import { api } from './api.js';

export function tickle(rows, transport) {
  if (transport === 'multicast') return api('/tickle', { method: 'POST', body: { guids: rows.map((r) => r.guid) } });
  const ips = rows.map((r) => r.address).filter((a) => typeof a === 'string' && a !== '');
  return api('/tickle', { method: 'POST', body: { ips } });
}

export const tickleAll = () => api('/tickle', { method: 'POST', body: { all: true } });

/** Wake: the NS's multicast power-management datagram naming the computers (no MACs are registered). */
export const wake = (rows) => api('/tickle', { method: 'POST', body: { guids: rows.map((r) => r.guid), multicast: true } });

export const setState = (rows, state) =>
  Promise.all(rows.map((r) => api(`/resources/${r.guid}/state`, { method: 'POST', body: { state } })));

export const runTask = (rows, name, script) =>
  api('/tasks', { method: 'POST', body: { type: 'script', name, script, targets: rows.map((r) => r.guid) } });

export const getTask = (id) => api(`/tasks/${id}`);
