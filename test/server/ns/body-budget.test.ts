// The NS's global request-body budget (server/ns/body-budget.ts): a body that does not fit is refused
// with 503 + Retry-After before it is read (XML on agent pages, JSON on the console API), chunked bodies
// are refused mid-body, aborted uploads release what they took, and the gauge returns to 0.
import t from 'tap';
import { adminHeaders } from '../../helpers/console-credentials.js';
import { metricValue, upload } from '../../helpers/body-upload.js';
import { send, startTestNs, type TestNs } from '../../helpers/ns.js';
import { waitUntil } from '../../helpers/wait.js';

const KIB = 1024;
const PAGE = '/Altiris/NS/Agent/PostEvent.aspx';

async function inFlight(lab: TestNs): Promise<number> {
  return metricValue((await send(lab.http, '/metrics')).text, 'smp_ns_request_body_bytes_in_flight');
}

t.test('budget of 256 KiB', async (t) => {
  const lab = await startTestNs({ limits: { bodyBudget: 256 * KIB } });
  t.teardown(() => lab.close());

  t.test('a Content-Length over the budget is refused before its body is sent', async (t) => {
    const r = await upload(lab.http, PAGE, { contentLength: 300 * KIB, pieces: [] });
    t.equal(r.status, 503);
    t.equal(r.written, 0, 'no body byte was needed for the answer');
    t.equal(r.headers['retry-after'], '5');
    t.match(r.headers['content-type'], /text\/xml/);
    t.match(r.text, /^<error code="SMP_ERR_CAPACITY" status="503">.*--body-budget/);
  });

  t.test('the console API answers JSON', async (t) => {
    const r = await upload(lab.http, '/Altiris/Console/api/tokens', { contentLength: 300 * KIB, pieces: [],
      headers: adminHeaders({ 'content-type': 'application/json' }) });
    t.equal(r.status, 503);
    t.equal(r.headers['retry-after'], '5');
    t.match(JSON.parse(r.text), { error: { code: 'SMP_ERR_CAPACITY', status: 503 } });
  });

  t.test('a chunked body is refused once the budget runs out and the connection closes', async (t) => {
    // 32 MiB: more than loopback socket buffers hold, so the client sees the answer before it is done.
    const piece = Buffer.alloc(64 * KIB, 0x20);
    const r = await upload(lab.http, PAGE, { pieces: Array.from({ length: 512 }, () => piece) });
    t.equal(r.status, 503);
    t.equal(r.headers.connection, 'close');
    t.match(r.text, /SMP_ERR_CAPACITY.*mid-body/);
    t.ok(r.written < 512 * 64 * KIB, `refused mid-body after ${r.written} bytes were written`);
  });

  t.test('aborted uploads release the budget', async (t) => {
    const aborted = await Promise.all([
      upload(lab.http, PAGE, { contentLength: 200 * KIB, pieces: [Buffer.alloc(20 * KIB)], abort: true }),
      upload(lab.http, PAGE, { pieces: [Buffer.alloc(20 * KIB)], abort: true }),
    ]);
    t.same(aborted.map((r) => r.status), [null, null]);
    await waitUntil(async () => (await inFlight(lab)) === 0, 'budget back to 0');
    // The whole budget is usable again: a 250 KiB body is read (and refused by its own page, not by the budget).
    const r = await upload(lab.http, PAGE, { contentLength: 250 * KIB, pieces: [Buffer.alloc(250 * KIB, 0x20)] });
    t.not(r.status, 503, `answered ${r.status}`);
  });

  t.test('gauge back to 0, refusals counted', async (t) => {
    await waitUntil(async () => (await inFlight(lab)) === 0, 'budget back to 0');
    const page = (await send(lab.http, '/metrics')).text;
    t.equal(metricValue(page, 'smp_ns_request_body_budget_refusals_total'), 3);
  });
});

t.test('requests without bodies and bodies within the budget are untouched', async (t) => {
  const lab = await startTestNs({ limits: { bodyBudget: 64 * KIB } });
  t.teardown(() => lab.close());
  t.equal((await send(lab.http, '/metrics')).status, 200);
  const r = await upload(lab.http, PAGE, { contentLength: 10, pieces: [Buffer.from('<x></x>   ')] });
  t.not(r.status, 503);
  t.equal(await inFlight(lab), 0);
});
