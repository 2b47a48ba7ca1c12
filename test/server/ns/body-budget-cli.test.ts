// `smp-lab ns --body-budget 64M` as a user runs it: 24 agents post a 60 MiB event at once. Those that do
// not fit get 503 + Retry-After before their bodies are read, the NS's peak RSS stays far below 24 x 60 MiB,
// the accepted events are stored, and the budget is back to 0 afterwards.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { agentKey } from '../../helpers/agent-key.js';
import { BASIC_INVENTORY_TO, register } from '../../helpers/agent-requests.js';
import { metricValue, upload } from '../../helpers/body-upload.js';
import { startSmpLab } from '../../helpers/cli.js';
import { freePorts } from '../../helpers/free-port.js';
import { send } from '../../helpers/ns.js';
import { waitUntil } from '../../helpers/wait.js';
import { decodeCreateResourceResponse } from '../../../shared/protocol/create-resource.js';
import { encodeNse } from '../../../shared/protocol/nse.js';

const MIB = 1024 * 1024;
const AGENTS = 24;

/** An inventory NSE of about `mib` MiB in rows of 1 MiB (inventoryNse's 48-byte rows are too slow to build at this size). */
function bigNse(guid: string, name: string, mib: number): string {
  return encodeNse({ to: BASIC_INVENTORY_TO, priority: 1, msgId: null, kind: 'inventory', inventory: {
    resources: [{ ref: '0', typeGuid: '493435F7-3B17-4C4C-B07F-C23E7AB7781F', name, guid }],
    classes: [{ id: 'pad', rows: Array.from({ length: mib }, () => ({ resourceRef: '0', columns: ['x'.repeat(MIB - 64)] })) }],
  } });
}

/** Peak resident set of a process (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m?.[1]) throw new Error(`no VmHWM for pid ${pid}`);
  return Number(m[1]) * 1024;
}

t.test('24 concurrent 60 MiB PostEvents against a 64 MiB budget', { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `smp-budget-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [httpPort] = await freePorts(1);
  const ns = startSmpLab(['ns', '--port', `ns-agent-http=${httpPort}`, '--no-https', '--data', join(dir, 'ns'),
    '--body-budget', '64M', '--log-level', 'error']);
  t.teardown(() => ns.stop('SIGKILL', 1000));
  await ns.line(/ns ready http=127\.0\.0\.1:\d+/, 30_000);
  const base = `http://127.0.0.1:${httpPort}`;
  const guid = decodeCreateResourceResponse((await register(base, { name: 'BIG-1', policyKey: agentKey().policyKey })).text).guid;
  const body = Buffer.from(bigNse(guid, 'BIG-1', 61));
  t.ok(body.length >= 60 * MIB && body.length < 64 * MIB, `one event of ${(body.length / MIB).toFixed(1)} MiB`);
  const rssBefore = peakRss(ns.child.pid!);

  const piece = 1 * MIB;
  const pieces = Array.from({ length: Math.ceil(body.length / piece) }, (_, i) => body.subarray(i * piece, (i + 1) * piece));
  const results = await Promise.all(Array.from({ length: AGENTS }, () =>
    upload(base, '/Altiris/NS/Agent/PostEvent.aspx', { contentLength: body.length, pieces })));
  const accepted = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status === 503);
  const cut = results.filter((r) => r.status === null);
  t.equal(accepted.length + refused.length + cut.length, AGENTS, `200: ${accepted.length}, 503: ${refused.length}, `
    + `connection closed before the answer was read: ${cut.length}`);
  t.ok(accepted.length >= 1, 'at least one event accepted');
  t.ok(refused.length >= 1, 'some refused with 503');
  t.ok(refused.every((r) => r.headers['retry-after'] === '5' && /SMP_ERR_CAPACITY/.test(r.text)), '503s carry Retry-After');
  const ids = accepted.map((r) => /<response status="ok" id="(\d+)"[^>]* size="(\d+)"/.exec(r.text));
  t.ok(ids.every((m) => m !== null && Number(m[2]) === body.length), 'accepted events stored whole');

  const peak = peakRss(ns.child.pid!);
  t.comment(`NS peak RSS ${(rssBefore / MIB).toFixed(0)} MiB before, ${(peak / MIB).toFixed(0)} MiB after the burst`);
  t.ok(peak < (AGENTS * 60 * MIB) / 3, `peak RSS ${(peak / MIB).toFixed(0)} MiB is well below 24 x 60 MiB`);

  await waitUntil(async () => metricValue((await send(base, '/metrics')).text, 'smp_ns_request_body_bytes_in_flight') === 0,
    'budget back to 0', 10_000);
  const page = (await send(base, '/metrics')).text;
  t.equal(metricValue(page, 'smp_ns_request_body_budget_refusals_total'), AGENTS - accepted.length,
    'every request that was not accepted was refused by the budget');
  t.equal(await ns.stop(), 0, 'clean stop');
});
