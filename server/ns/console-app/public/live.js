// The Live view: counters, three uPlot charts (check-ins/s, latency p50/p95/p99, errors) and a
// scrolling feed of what each interval brought. Everything comes from the feed's messages; the
// charts keep the last 120 intervals.
import { $, el, kpi, num, time } from './dom.js';
import { subscribe } from './feed.js';

const KEEP = 120;
const FEED_LINES = 200;
const series = { t: [], checkIns: [], p50: [], p95: [], p99: [], client: [], server: [] };
const charts = [];

function chart(target, label, lines) {
  const width = Math.max(280, target.clientWidth || 360);
  const opts = {
    width, height: 180, legend: { show: true }, cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true } }, axes: [{ stroke: '#5b6675' }, { stroke: '#5b6675', size: 50 }],
    series: [{}, ...lines.map(([name, color]) => ({ label: name, stroke: color, width: 2, points: { show: false } }))],
  };
  return new window.uPlot(opts, [[], ...lines.map(() => [])], target);
}

function push(key, v) {
  series[key].push(v);
  if (series[key].length > KEEP) series[key].shift();
}

function kpis(msg) {
  const t = msg.totals;
  const r = msg.rates ?? {};
  $('#live-kpis').replaceChildren(kpi('Check-ins/s', num(r.checkIns ?? 0)), kpi('Registrations', num(t.registrations)),
    kpi('Events', num(t.events)), kpi('Tickles', num(t.tickles + t.multicastTickles)), kpi('Wakes', num(t.wakes)),
    kpi('Task statuses', num(t.taskStatuses)), kpi('Package downloads', num(t.packageDownloads)),
    kpi('p95 latency', msg.latencyMs?.p95 === null || msg.latencyMs === undefined ? '–' : `${msg.latencyMs.p95} ms`));
}

function feedLine(msg) {
  const r = msg.recent;
  const d = msg.rates;
  const s = msg.seconds;
  const count = (k) => Math.round(d[k] * s);
  const parts = [];
  const say = (n, one, many) => { if (n > 0) parts.push(`${n} ${n === 1 ? one : many}`); };
  say(count('registrations'), 'registration', 'registrations');
  say(count('checkIns'), 'check-in', 'check-ins');
  say(count('events'), 'event', 'events');
  say(count('tickles') + count('multicastTickles'), 'tickle sent', 'tickles sent');
  say(count('wakes'), 'wake sent', 'wakes sent');
  say(count('taskStatuses'), 'task status', 'task statuses');
  say(count('packageDownloads'), 'package download', 'package downloads');
  say(count('refused'), 'refused', 'refused');
  if (parts.length === 0) return null;
  const chips = [...r.registrations.slice(0, 4).map((x) => el('span', { class: 'chip reg' }, `${x.name} (${x.state})`)),
    ...r.checkIns.slice(0, 6).map((g) => el('span', { class: 'chip mono', title: g }, `…${g.slice(-8)}`)),
    ...r.taskStatuses.slice(0, 4).map((x) =>
      el('span', { class: `chip ${x.state}`, title: x.guid }, `…${x.guid.slice(-8)} ${x.state}`))];
  return el('li', { 'data-guids': r.checkIns.join(' '), 'data-seq': msg.seq },
    el('span', { class: 'when' }, time(msg.at)), el('span', { class: 'what' }, parts.join(' · ')),
    el('span', { class: 'chips' }, chips));
}

function table(id, obj) {
  const entries = Object.entries(obj).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  const row = ([k, v]) => el('tr', {}, el('td', { class: 'mono small' }, k), el('td', { class: 'num' }, num(v)));
  $(`#${id} tbody`).replaceChildren(...(entries.length ? entries.map(row)
    : [el('tr', {}, el('td', { class: 'empty' }, 'none yet'))]));
}

function onTick(msg) {
  push('t', msg.at / 1000);
  push('checkIns', msg.rates.checkIns);
  push('p50', msg.latencyMs.p50);
  push('p95', msg.latencyMs.p95);
  push('p99', msg.latencyMs.p99);
  push('client', msg.errors.client);
  push('server', msg.errors.server);
  if (charts.length && !$('#view-live').hidden) {
    charts[0].setData([series.t, series.checkIns]);
    charts[1].setData([series.t, series.p50, series.p95, series.p99]);
    charts[2].setData([series.t, series.client, series.server]);
  }
  kpis(msg);
  table('event-classes', msg.eventsByClass);
  table('task-states', msg.taskStates);
  const li = feedLine(msg);
  if (li) {
    const feed = $('#feed');
    feed.prepend(li);
    while (feed.children.length > FEED_LINES) feed.lastChild.remove();
  }
}

export function initLive() {
  subscribe((msg) => {
    if (msg.type === 'hello') kpis(msg);
    else if (msg.type === 'tick') onTick(msg);
  });
}

export function showLive() {
  if (charts.length === 0 && window.uPlot) {
    charts.push(chart($('#chart-checkins'), 'check-ins/s', [['check-ins/s', '#2563eb']]));
    charts.push(chart($('#chart-latency'), 'ms', [['p50', '#16a34a'], ['p95', '#d97706'], ['p99', '#dc2626']]));
    charts.push(chart($('#chart-errors'), 'errors', [['4xx', '#d97706'], ['5xx', '#dc2626']]));
  }
  if (charts.length) {
    charts[0].setData([series.t, series.checkIns]);
    charts[1].setData([series.t, series.p50, series.p95, series.p99]);
    charts[2].setData([series.t, series.client, series.server]);
  }
}
