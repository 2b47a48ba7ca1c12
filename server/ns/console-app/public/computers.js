// The Computers view: one server-side page (search, state filter, sort, 50 a page), a selection
// that survives paging, and the actions on it. Live: a page reloads when the feed reports
// registrations or check-ins, at most once a second and only while the view is shown.
import { api } from './api.js';
import { $, el, ago, badge, kpi, num, notice } from './dom.js';
import { subscribe } from './feed.js';
import { setState, tickle, tickleAll, wake } from './actions.js';
import { openTaskDialog } from './task-watch.js';

const PAGE = 50;
const q = { q: '', state: '', sort: 'name', dir: 'asc', offset: 0 };
const selected = new Map();
let rows = [];
let total = 0;
let loading = false;
let stale = false;

const visible = () => !$('#view-computers').hidden;

async function load() {
  if (loading) { stale = true; return; }
  loading = true;
  try {
    const params = new URLSearchParams({ sort: q.sort, dir: q.dir, offset: String(q.offset), limit: String(PAGE) });
    if (q.q) params.set('q', q.q);
    if (q.state) params.set('state', q.state);
    const page = await api(`/computers?${params}`);
    rows = page.computers;
    total = page.total;
    render(page.serverMs);
  } catch (err) {
    notice(`Computers: ${err.message}`, 'error');
  } finally {
    loading = false;
    if (stale) { stale = false; load(); }
  }
}

function row(c) {
  const check = el('input', { type: 'checkbox', 'aria-label': `select ${c.name}`, checked: selected.has(c.guid) });
  check.addEventListener('change', () => {
    if (check.checked) selected.set(c.guid, c); else selected.delete(c.guid);
    updateSelection();
  });
  return el('tr', { 'data-guid': c.guid, class: selected.has(c.guid) ? 'selected' : '' },
    el('td', { class: 'check' }, check),
    el('td', {}, el('a', { href: `#/computer/${c.guid}` }, c.name)),
    el('td', { class: 'mono small' }, c.guid),
    el('td', { class: 'mono' }, c.address ?? '–'),
    el('td', {}, c.os ?? '–'),
    el('td', {}, badge(c.state)),
    el('td', { title: c.lastSeenAt ? new Date(c.lastSeenAt).toISOString() : '' }, ago(c.lastSeenAt)),
    el('td', { class: 'mono small', title: c.policyHash }, c.policyHash.slice(0, 10)),
    el('td', { class: 'small' }, c.lastEvent ? `${ago(c.lastEvent.at)} · ${shortClass(c.lastEvent.eventClass)}` : '–'),
    el('td', { class: 'small' }, c.lastTask ? [badge(c.lastTask.state), ` ${c.lastTask.name}`] : '–'));
}

const shortClass = (c) => (c ? (c.length > 14 ? `${c.slice(0, 13)}…` : c) : 'event');

function render(serverMs) {
  $('#computers tbody').replaceChildren(...(rows.length ? rows.map(row)
    : [el('tr', {}, el('td', { colspan: 10, class: 'empty' },
      q.q || q.state ? 'No computer matches.' : 'No computer has registered yet.'))]));
  const last = Math.min(total, q.offset + rows.length);
  $('#page-info').textContent = total === 0 ? '0 computers' : `${num(q.offset + 1)}–${num(last)} of ${num(total)}`;
  $('#server-ms').textContent = serverMs === undefined ? '' : `server ${serverMs} ms`;
  $('#prev').disabled = q.offset === 0;
  $('#next').disabled = q.offset + PAGE >= total;
  for (const th of document.querySelectorAll('#computers th[data-sort]')) {
    th.classList.toggle('sorted', th.dataset.sort === q.sort);
    th.dataset.dir = th.dataset.sort === q.sort ? q.dir : '';
  }
  $('#select-page').checked = rows.length > 0 && rows.every((r) => selected.has(r.guid));
  updateSelection();
}

function updateSelection() {
  $('#selected-count').textContent = `${selected.size} selected`;
  for (const tr of document.querySelectorAll('#computers tbody tr')) {
    tr.classList.toggle('selected', selected.has(tr.dataset.guid));
  }
}

async function act(what, fn) {
  const list = [...selected.values()];
  if (list.length === 0 && what !== 'tickle all') { notice('Select computers first', 'warn'); return; }
  try {
    const r = await fn(list);
    notice(`${what}: ${summary(r, list.length)}`, 'ok');
    load();
  } catch (err) {
    notice(`${what} failed: ${err.message}`, 'error');
  }
}

function summary(r, n) {
  if (r?.tcp) return `${r.tcp.sent} TCP tickles sent`;
  if (r?.multicastDatagrams !== undefined) return `${r.multicastDatagrams} multicast datagrams sent`;
  return `${n} computers updated`;
}

function kpis(t) {
  $('#kpis').replaceChildren(kpi('Computers', num(total), 'kpi-total'), kpi('Registrations', num(t.registrations)),
    kpi('Check-ins', num(t.checkIns)), kpi('Events', num(t.events)), kpi('Refused', num(t.refused)),
    kpi('Tickles sent', num(t.tickles + t.multicastTickles)));
}

export function initComputers() {
  let timer = null;
  $('#search').addEventListener('input', (e) => {
    clearTimeout(timer);
    timer = setTimeout(() => { q.q = e.target.value.trim(); q.offset = 0; load(); }, 250);
  });
  $('#state-filter').addEventListener('change', (e) => { q.state = e.target.value; q.offset = 0; load(); });
  for (const th of document.querySelectorAll('#computers th[data-sort]')) {
    th.addEventListener('click', () => {
      q.dir = q.sort === th.dataset.sort && q.dir === 'asc' ? 'desc' : 'asc';
      q.sort = th.dataset.sort;
      q.offset = 0;
      load();
    });
  }
  $('#prev').addEventListener('click', () => { q.offset = Math.max(0, q.offset - PAGE); load(); });
  $('#next').addEventListener('click', () => { q.offset += PAGE; load(); });
  $('#select-page').addEventListener('change', (e) => {
    for (const r of rows) if (e.target.checked) selected.set(r.guid, r); else selected.delete(r.guid);
    render();
  });
  $('#tickle-selected').addEventListener('click', () => act('tickle', (l) => tickle(l, $('#tickle-mode').value)));
  $('#tickle-all').addEventListener('click', () => act('tickle all', () => tickleAll()));
  $('#wake-selected').addEventListener('click', () => act('wake', (l) => wake(l)));
  $('#allow-selected').addEventListener('click', () => act('allow', (l) => setState(l, 'allowed')));
  $('#block-selected').addEventListener('click', () => act('block', (l) => setState(l, 'blocked')));
  $('#task-selected').addEventListener('click', () => openTaskDialog([...selected.values()]));
  subscribe((msg) => {
    if (msg.totals) kpis(msg.totals);
    if (msg.type === 'tick' && visible() && (msg.rates.registrations > 0 || msg.rates.checkIns > 0 || msg.gap)) load();
  });
}

export function showComputers() {
  load();
}
