// The Flows view: every catalog flow with the traffic the NS saw on it, and the task servers.
import { api } from './api.js';
import { $, el, ago, num, notice } from './dom.js';

export async function showFlows() {
  try {
    const { flows, taskServers } = await api('/flows');
    $('#task-servers tbody').replaceChildren(...(taskServers.length ? taskServers.map((s) => el('tr', {},
      el('td', {}, s.name), el('td', { class: 'mono small' }, s.guid),
      el('td', {}, el('span', { class: `badge ${s.live ? 'allowed' : 'blocked'}` },
        s.live ? 'live' : 'silent')), el('td', {}, `${num(s.clients)} / ${num(s.maxClients)} agents`),
      el('td', {}, s.linked ? 'tickle link up' : 'no tickle link'), el('td', {}, ago(s.updatedAt))))
      : [el('tr', {}, el('td', { class: 'empty' }, 'No task server has registered with this NS.'))]));
    let system = '';
    $('#flows tbody').replaceChildren(...flows.flatMap((f) => {
      const out = [];
      if (f.system !== system) {
        system = f.system;
        out.push(el('tr', { class: 'group' }, el('td', { colspan: 7 }, system)));
      }
      const seen = f.observed ? el('span', { class: 'traffic' }, `${num(f.observed.count)} ${f.observed.unit}`)
        : el('span', { class: 'muted' }, f.observable ? 'no traffic yet' : 'not seen by this NS');
      out.push(el('tr', { 'data-flow': f.id, class: f.observed ? 'live' : '' }, el('td', {}, ''),
        el('td', { title: f.purpose }, f.component), el('td', {}, f.from), el('td', {}, f.to), el('td', {}, f.transport),
        el('td', { class: 'mono' }, f.port ?? '–'), el('td', {}, seen)));
      return out;
    }));
  } catch (err) {
    notice(`Flows: ${err.message}`, 'error');
  }
}
