// The console in a real browser (Debian's chromium through playwright-core): computers appear live
// while `smp-lab agents` registers 200; a TCP tickle of one computer shows its check-in in the feed
// within 2 s; a task on 10 computers shows 10 statuses; a blocked pending computer is refused when it asks again.
import t, { type Test } from 'tap';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { TaskAgentPool } from '../../agent/tasks/task-agent-pool.js';
import { startSmpLab } from '../helpers/cli.js';
import { freePorts } from '../helpers/free-port.js';
import { quietLog, startTaskLab } from '../helpers/task-lab.js';
import { waitUntil } from '../helpers/wait.js';
import { adminHeaders, TEST_CONSOLE_PASSWORD, TEST_CONSOLE_USER } from '../helpers/console-credentials.js';

const CHROMIUM = '/usr/bin/chromium';
const AGENTS = 200;

/** Fills the login form when the console sends the browser there; does nothing otherwise. */
export async function login(page: Page, base: string): Promise<void> {
  if (!page.url().startsWith(`${base}/Altiris/Console/login`)) return;
  await page.fill('input[name=user]', TEST_CONSOLE_USER);
  await page.fill('input[name=password]', TEST_CONSOLE_PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/login')), page.click('button[type=submit], input[type=submit]')]);
}

interface Row { guid: string; name: string; address: string | null }

t.test('the console in a browser', { skip: existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM} (apt-get install chromium)` }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smp-console-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const shots = process.env['SMP_LAB_CONSOLE_SHOTS'] ?? join(process.cwd(), '.tap', `console-browser-${process.pid}`);
  mkdirSync(shots, { recursive: true });
  const [tickle, wake] = await freePorts(2);
  const lab = await startTaskLab({ ns: { registrationPolicy: 'pending', consoleFeed: { intervalMs: 250 }, accessLog: { enabled: false },
    tickle: { ticklePort: tickle!, wakePort: wake! } } });
  t.teardown(() => lab.close());
  const base = lab.ns.http;
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${base}/Altiris/Console/api${path}`, { headers: adminHeaders() })).json()) as T;

  // The page itself runs under the NS's CSP (checked below in a strict context); the test's own string predicates
  // (waitForFunction) are evaluated with eval, which that CSP rightly forbids, hence bypassCSP for the driving context.
  await strictCspCheck(t, base, join(dir, 'strict-profile'));
  const browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1440, height: 900 }, bypassCSP: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  t.teardown(() => browser.close());
  const page = browser.pages()[0] ?? await browser.newPage();
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) });
  try {
    await page.goto(`${base}/Altiris/Console/`);
    await login(page, base);
    await page.waitForSelector('#conn.on');
    await page.waitForFunction(`document.querySelector('#page-info')?.textContent === '0 computers'`);

    // 1. Computers appear live (no reload) while the real CLI registers 200.
    const agents = startSmpLab(['agents', '--ns', base, '--count', String(AGENTS), '--seed', `console-${process.pid}`,
      '--interval', '1h', '--ramp', '3s', '--key-pool', '2', '--no-delivery', '--progress', 'none', '--log-level', 'silent',
      '--port', `ns-tickle=${tickle}`, '--port', `ns-multicast=${wake}`, '--state-dir', join(dir, 'state'),
      '--report-dir', join(dir, 'reports')]);
    t.teardown(() => agents.stop('SIGINT', 10_000));
    await page.evaluate('window.marker = 1');
    const counts = new Set<string>();
    await waitUntil(async () => {
      const text = await page.textContent('#page-info') ?? '';
      counts.add(text);
      return text.endsWith(`of ${AGENTS}`);
    }, `the page to show ${AGENTS} computers`, 90_000, 100);
    t.ok(counts.size >= 3, `the count rose in steps on the open page: ${[...counts].join(' | ')}`);
    t.equal(await page.evaluate('window.marker'), 1, 'without a reload');
    await waitUntil(async () => (await api<{ computers: Row[] }>('/computers?limit=500')).computers.every((c) => c.address !== null),
      'every address recorded', 10_000);
    await page.waitForFunction(`document.querySelectorAll('#computers tbody tr[data-guid]').length === 50`);
    const rows = (await api<{ computers: Row[] }>('/computers?sort=name&limit=11')).computers;
    await shot('console-computers');

    // 2. Allow one pending computer, tickle it: its check-in is in the feed within 2 s.
    const one = rows[0]!;
    await page.check(`#computers tr[data-guid="${one.guid}"] input[type=checkbox]`);
    await page.click('#allow-selected');
    await page.waitForSelector(`#computers tr[data-guid="${one.guid}"] .badge.allowed`);
    await page.selectOption('#tickle-mode', 'tcp');
    const seqBefore = Number(await page.evaluate(`document.querySelector('#feed li')?.dataset.seq ?? 0`));
    const clicked = Date.now();
    await page.click('#tickle-selected');
    await page.waitForFunction(`[...document.querySelectorAll('#feed li')].some((li) => Number(li.dataset.seq) > ${seqBefore}
      && (li.dataset.guids ?? '').split(' ').includes('${one.guid}'))`, undefined, { timeout: 2000 });
    t.ok(Date.now() - clicked <= 2000, `check-in in the feed ${Date.now() - clicked} ms after the tickle`);
    await page.uncheck(`#computers tr[data-guid="${one.guid}"] input[type=checkbox]`);

    // 3. A task on 10 computers (they hold task-server links through the task agent pool): 10 statuses.
    const ten = rows.slice(0, 10);
    const pool = new TaskAgentPool({ nsUrl: base, log: quietLog, tickMs: 20 });
    t.teardown(() => pool.close());
    await pool.start();
    for (const r of ten) pool.add({ guid: r.guid, name: r.name, ip: r.address! });
    await waitUntil(() => pool.counts().connected === 10, 'ten task agents linked to the TS', 20_000);
    for (const r of ten) await page.check(`#computers tr[data-guid="${r.guid}"] input[type=checkbox]`);
    await page.click('#task-selected');
    await page.fill('#task-form textarea[name=script]', 'echo console task\nexit 0');
    await page.click('#task-run');
    await page.waitForFunction(`document.querySelector('#task-watch [data-count=completed]')?.textContent === '10'`,
      undefined, { timeout: 30_000 });
    t.equal(await page.locator('#task-watch-statuses tbody tr').count(), 10, '10 statuses listed');
    await shot('console-task');
    await page.click('#task-watch button[type=submit]');

    // 4. Block a pending registration: tickled, the agent asks again and is told it is blocked.
    const victim = rows[10]!;
    await page.goto(`${base}/Altiris/Console/#/computer/${victim.guid}`);
    await page.waitForSelector('#view-computer .badge.pending');
    await page.click('#view-computer button.danger');
    await page.waitForSelector('#view-computer h2 + .badge.blocked');
    await page.click('#view-computer button:has-text("Tickle (TCP)")');
    await page.waitForFunction(`[...document.querySelectorAll('#feed li .what')].some((w) => / refused/.test(' ' + w.textContent))`,
      undefined, { timeout: 5000 });
    t.pass('the blocked computer was refused when it asked again');
    await shot('console-computer');
    await page.goto(`${base}/Altiris/Console/#/live`);
    await page.waitForSelector('#chart-checkins .uplot');
    await page.waitForFunction(`document.querySelectorAll('#feed li').length > 0`);
    await shot('console-live');
    await page.goto(`${base}/Altiris/Console/#/flows`);
    await page.waitForSelector('#flows tr.live');
    await shot('console-flows');
  } catch (err) {
    await shot('failure').catch(() => undefined);
    t.comment(`screenshots in ${shots}`);
    throw err;
  }
});

/** The console under its real CSP: it loads, logs in, connects its feed and draws charts with no CSP violation. */
async function strictCspCheck(t: Test, base: string, profile: string): Promise<void> {
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${base}/Altiris/Console/`);
    await login(page, base);
    await page.waitForSelector('#conn.on');
    await page.goto(`${base}/Altiris/Console/#/live`);
    await page.waitForSelector('#chart-checkins .uplot');
    t.same(violations, [], 'the console runs under its CSP without violations');
  } finally {
    await ctx.close();
  }
}
