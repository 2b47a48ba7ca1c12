// Small DOM and formatting helpers shared by the views; text goes in through textContent only.
export const $ = (sel, root = document) => root.querySelector(sel);

/** el('td', { class: 'x' }, 'text', child) */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

export function ago(ms) {
  if (ms === null || ms === undefined) return 'never';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return new Date(ms).toLocaleString();
}

export const time = (ms) => new Date(ms).toLocaleTimeString();
export const num = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString());
export const badge = (state) => el('span', { class: `badge ${state}` }, state);

let noticeTimer = null;
export function notice(text, kind = 'info') {
  const n = $('#notice');
  n.textContent = text;
  n.className = `notice ${kind}`;
  n.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { n.hidden = true; }, 6000);
}

export function kpi(label, value, id) {
  return el('div', { class: 'kpi' }, el('div', { class: 'value', ...(id ? { id } : {}) }, value),
    el('div', { class: 'label' }, label));
}
