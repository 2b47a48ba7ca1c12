// The task dialog: create a script task on the selected computers, then watch its statuses arrive
// (refreshed when the live feed reports statuses of this task, and every 2 s as a fallback).
import { $, el, badge, num, notice } from './dom.js';
import { getTask, runTask } from './actions.js';
import { subscribe } from './feed.js';

let watching = null;

export function openTaskDialog(rows) {
  if (rows.length === 0) { notice('Select computers first', 'warn'); return; }
  const dialog = $('#task-dialog');
  $('#task-count').textContent = String(rows.length);
  dialog.returnValue = '';
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'run') return;
    const form = $('#task-form');
    try {
      const t = await runTask(rows, form.elements.name.value, form.elements.script.value);
      watch(t.id, form.elements.name.value);
    } catch (err) {
      notice(`Task not created: ${err.message}`, 'error');
    }
  };
  dialog.showModal();
}

async function refresh() {
  if (watching === null) return;
  const t = await getTask(watching.id);
  $('#task-watch-counts').replaceChildren(...['received', 'running', 'completed', 'failed', 'pending'].map((k) =>
    el('div', { class: 'kpi' }, el('div', { class: 'value', 'data-count': k }, num(t.counts[k])),
      el('div', { class: 'label' }, k))));
  $('#task-watch-statuses tbody').replaceChildren(...t.statuses.map((s) => el('tr', { 'data-guid': s.resourceGuid },
    el('td', { class: 'mono' }, s.resourceGuid), el('td', {}, badge(s.state)), el('td', {}, s.exitCode ?? ''),
    el('td', { class: 'muted' }, s.output.slice(0, 80)))));
  if (t.done) stopTimer();
}

function stopTimer() {
  if (watching?.timer) clearInterval(watching.timer);
  if (watching) watching.timer = null;
}

export function watch(id, name) {
  stopTimer();
  watching = { id, timer: setInterval(() => refresh().catch(() => undefined), 2000) };
  $('#task-watch-title').textContent = `Task “${name}”`;
  $('#task-watch').dataset.task = id;
  const d = $('#task-watch');
  d.onclose = () => { stopTimer(); watching = null; };
  if (!d.open) d.showModal();
  refresh().catch((err) => notice(err.message, 'error'));
}

subscribe((msg) => {
  if (msg.type === 'tick' && watching && msg.recent.taskStatuses.some((s) => s.task === watching.id)) {
    refresh().catch(() => undefined);
  }
});
