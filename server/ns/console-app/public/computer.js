// A computer's page: identity, registration state with allow/block, tickle, and its policies,
// latest events and task history. Refreshed when the feed names this computer.
import { api } from './api.js';
import { $, el, ago, badge, time, notice } from './dom.js';
import { subscribe } from './feed.js';
import { setState, tickle, wake } from './actions.js';
import { openTaskDialog } from './task-watch.js';

let current = null;

const field = (label, value, cls = '') => el('div', { class: 'field' }, el('div', { class: 'label' }, label),
  el('div', { class: `value ${cls}` }, value ?? '–'));

function table(head, rows, empty) {
  return el('table', { class: 'grid compact' }, el('thead', {}, el('tr', {}, head.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: head.length, class: 'empty' }, empty))));
}

/** A button that runs an action on this computer, says how it went and reloads the page. */
function action(c, label, fn, cls) {
  return el('button', { type: 'button', class: cls, onclick: async () => {
    try {
      await fn([c]);
      notice(`${label}: done`, 'ok');
      load(c.guid);
    } catch (err) {
      notice(`${label} failed: ${err.message}`, 'error');
    }
  } }, label);
}

function header(c) {
  return el('div', { class: 'card head' },
    el('div', { class: 'title' }, el('h2', {}, c.name), badge(c.state)),
    el('div', { class: 'actions' },
      action(c, 'Tickle (TCP)', (l) => tickle(l, 'tcp')),
      action(c, 'Tickle (multicast)', (l) => tickle(l, 'multicast')),
      action(c, 'Wake', wake),
      el('button', { type: 'button', class: 'primary', onclick: () => openTaskDialog([c]) }, 'Run task…'),
      c.state !== 'allowed' ? action(c, 'Allow', (l) => setState(l, 'allowed')) : null,
      c.state !== 'blocked' ? action(c, 'Block', (l) => setState(l, 'blocked'), 'danger') : null),
    el('div', { class: 'fields' },
      field('GUID', c.guid, 'mono'), field('Address', c.address, 'mono'), field('OS', c.os), field('FQDN', c.fqdn),
      field('Registered', new Date(c.createdAt).toLocaleString()), field('Last check-in', ago(c.lastSeenAt), 'last-seen'),
      field('Policy hash', c.policyHash, 'mono small'), field('Key change waiting', c.policyKeyPending ? 'yes' : 'no')));
}

const policyRow = (p) => el('tr', {}, el('td', {}, p.name), el('td', { class: 'mono small' }, p.agentClsid),
  el('td', {}, p.version));
const taskRow = (t) => el('tr', {}, el('td', {}, t.name), el('td', {}, badge(t.state)), el('td', {}, t.exitCode ?? ''),
  el('td', {}, time(t.updatedAt)));
const eventRow = (e) => el('tr', {}, el('td', {}, e.id), el('td', {}, time(e.receivedAt)),
  el('td', { class: 'mono small' }, e.to ?? '–'), el('td', {}, e.queue), el('td', {}, e.size),
  el('td', {}, badge(e.state)));

function render(c) {
  $('#view-computer').replaceChildren(
    el('div', { class: 'crumbs' }, el('a', { href: '#/computers' }, 'Computers'), ' › ', c.name),
    header(c),
    el('div', { class: 'columns' },
      el('div', { class: 'card' }, el('h3', {}, `Policies (${c.policies.length})`),
        table(['Name', 'Agent class', 'Version'], c.policies.map(policyRow),
          'No policy applies (only allowed computers get policies).')),
      el('div', { class: 'card' }, el('h3', {}, 'Task history'),
        table(['Task', 'State', 'Exit', 'Updated'], c.tasks.map(taskRow), 'No task yet.'))),
    el('div', { class: 'card' }, el('h3', {}, 'Latest events'),
      table(['#', 'Received', 'Class', 'Queue', 'Size', 'State'], c.events.map(eventRow),
        'No event from this computer yet.')));
}

async function load(guid) {
  try {
    const c = await api(`/computers/${encodeURIComponent(guid)}`);
    current = c.guid;
    render(c);
  } catch (err) {
    current = null;
    $('#view-computer').replaceChildren(el('div', { class: 'card empty' }, err.message));
  }
}

export function showComputer(guid) {
  load(guid);
}

subscribe((msg) => {
  if (msg.type !== 'tick' || current === null || $('#view-computer').hidden) return;
  if (msg.recent.checkIns.includes(current) || msg.recent.taskStatuses.some((s) => s.guid === current)) load(current);
});
