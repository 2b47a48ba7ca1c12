// HTML of the console's login form and its small stylesheet: no script at all (the CSP forbids
// inline script), every value escaped. The form carries the pre-session CSRF token and the return path.
import { escapeXml } from '../../../shared/protocol/xml.js';
import { LOGIN_CSS_PATH, LOGIN_PATH } from './options.js';

export interface LoginPageModel {
  readonly csrfToken: string;
  readonly returnTo: string;
  readonly user: string;
  readonly message: string | undefined;
}

export function loginPage(m: LoginPageModel): string {
  const e = escapeXml;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>smp-lab console: log in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${LOGIN_CSS_PATH}"></head>
<body><main><h1>smp-lab console</h1>
${m.message === undefined ? '' : `<p class="message" role="alert">${e(m.message)}</p>\n`}<form method="post" action="${LOGIN_PATH}">
<input type="hidden" name="_csrf" value="${e(m.csrfToken)}">
<input type="hidden" name="return" value="${e(m.returnTo)}">
<label>User <input name="user" autocomplete="username" required value="${e(m.user)}"></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button>
</form></main></body></html>
`;
}

/** What a browser with a forged, expired or logged-out session cookie sees (401). */
export function sessionEndedPage(returnTo: string): string {
  const href = `${LOGIN_PATH}?return=${encodeURIComponent(returnTo)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>smp-lab console: session ended</title>
<link rel="stylesheet" href="${LOGIN_CSS_PATH}"></head>
<body><main><h1>smp-lab console</h1><p class="message">Your session has ended or is not valid.</p>
<p><a href="${escapeXml(href)}">Log in again</a></p></main></body></html>
`;
}

export const LOGIN_CSS = `body{font-family:system-ui,sans-serif;background:#f3f4f6;margin:0}
main{max-width:22rem;margin:10vh auto;background:#fff;padding:2rem;border-radius:.5rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0}
input{display:block;width:100%;box-sizing:border-box;padding:.4rem;margin-top:.2rem}
button{padding:.5rem 1.2rem}.message{color:#a40000}
`;
