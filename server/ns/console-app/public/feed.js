// The live feed socket: one WebSocket to /Altiris/Console/live, reconnecting by itself with a
// growing delay; views subscribe to its messages. A seq gap means the NS skipped us (slow link):
// the totals in the next message cover it.
const listeners = new Set();
let socket = null;
let retryMs = 500;
let lastSeq = 0;

export const subscribe = (fn) => { listeners.add(fn); return () => listeners.delete(fn); };

function setStatus(on, text) {
  const dot = document.getElementById('conn');
  dot.className = `dot ${on ? 'on' : 'off'}`;
  document.getElementById('conn-text').textContent = text;
}

export function connectFeed() {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/Altiris/Console/live`;
  socket = new WebSocket(url);
  socket.addEventListener('open', () => { retryMs = 500; setStatus(true, 'live'); });
  socket.addEventListener('message', (e) => {
    let msg;
    try { msg = JSON.parse(e.data); } catch { return; }
    if (msg.type === 'tick') {
      msg.gap = lastSeq !== 0 && msg.seq !== lastSeq + 1;
      lastSeq = msg.seq;
    }
    for (const fn of listeners) fn(msg);
  });
  socket.addEventListener('close', (e) => {
    setStatus(false, e.code === 1008 || e.code === 4401 ? 'signed out' : 'reconnecting');
    if (e.code === 4401) { location.reload(); return; }
    setTimeout(connectFeed, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  });
}
