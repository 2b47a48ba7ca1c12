// Entry point of the console page: reads the session, opens the live feed and shows the view the
// URL hash names (#/computers, #/computer/<GUID>, #/live, #/flows).
import { loadSession } from './api.js';
import { $ } from './dom.js';
import { connectFeed } from './feed.js';
import { initComputers, showComputers } from './computers.js';
import { showComputer } from './computer.js';
import { initLive, showLive } from './live.js';
import { showFlows } from './flows.js';

const VIEWS = ['computers', 'computer', 'live', 'flows'];

function route() {
  const [, view = 'computers', arg] = location.hash.split('/');
  const name = VIEWS.includes(view) ? view : 'computers';
  for (const v of VIEWS) $(`#view-${v}`).hidden = v !== name;
  for (const a of document.querySelectorAll('nav a')) {
    a.classList.toggle('active', a.dataset.view === name || (name === 'computer' && a.dataset.view === 'computers'));
  }
  document.body.dataset.view = name;
  if (name === 'computers') showComputers();
  else if (name === 'computer') showComputer(decodeURIComponent(arg ?? ''));
  else if (name === 'live') showLive();
  else showFlows();
}

async function start() {
  const s = await loadSession();
  if (s.user) $('#user').textContent = s.user;
  initComputers();
  initLive();
  connectFeed();
  window.addEventListener('hashchange', route);
  route();
}

start();
