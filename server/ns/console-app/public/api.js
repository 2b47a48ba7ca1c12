// The console's only door to the NS: JSON calls to /Altiris/Console/api with the session's CSRF
// token on every state-changing request, and a trip to the login page on a 401. Never caches.
const BASE = '/Altiris/Console/api';
const session = { user: null, csrfToken: null, loaded: false };

/** Reads { user, csrfToken } once; a NS without access control (404) gives neither. */
export async function loadSession() {
  if (session.loaded) return session;
  session.loaded = true;
  const res = await fetch(`${BASE}/session`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (res.status === 401) return toLogin();
  if (res.ok) {
    const body = await res.json();
    session.user = typeof body.user === 'string' ? body.user : body.user?.name ?? null;
    session.csrfToken = body.csrfToken ?? null;
  }
  return session;
}

export function toLogin() {
  const here = location.pathname + location.hash;
  location.assign(`/Altiris/Console/login?return=${encodeURIComponent(here)}`);
  return new Promise(() => {});
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    await loadSession();
    if (session.csrfToken) headers['x-csrf-token'] = session.csrfToken;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(BASE + path, {
    method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401) return toLogin();
  const text = await res.text();
  const data = text === '' ? null : safeJson(text);
  if (!res.ok) throw new ApiError(res.status, data?.error?.message ?? `${method} ${path}: HTTP ${res.status}`);
  return data;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
