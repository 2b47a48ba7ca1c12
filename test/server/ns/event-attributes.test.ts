// An NSE with a million attributes on one element is refused with 413 in bounded time, on the
// plain fast path and on the library path (a comment first), and the NS keeps answering.
import t from 'tap';
import { XML } from '../../helpers/agent-requests.js';
import { send, startTestNs } from '../../helpers/ns.js';
import { parseXml } from '../../../shared/protocol/xml.js';

const N = 1_000_000;
const attrs = (n: number): string => Array.from({ length: n }, (_, i) => ` a${i}="v"`).join('');
const nse = (head: string, n: number): string =>
  `${head}<message><to>{7A95A6A6-8D1A-4B4E-8D4E-52D2F5D4A5D4}</to><body><inventory><row${attrs(n)}/></inventory></body></message>`;

t.test('a million attributes on one element: 413, in bounded time', async (t) => {
  const lab = await startTestNs({ limits: { eventBodyLimit: 64 * 1024 * 1024 } });
  t.teardown(() => lab.close());
  for (const [what, head] of [['plain path', ''], ['library path', '<!-- first -->']] as const) {
    const started = Date.now();
    const r = await send(lab.http, '/Altiris/NS/Agent/PostEvent.aspx', { headers: XML, body: nse(head, N) });
    t.equal(r.status, 413, `${what}: ${r.text.slice(0, 200)}`);
    t.match(r.text, /SMP_ERR_TOO_LARGE.*more than 4096 attributes/);
    t.ok(Date.now() - started < 20_000, `${what}: answered in ${Date.now() - started} ms`);
  }
  const ok = await send(lab.http, '/Altiris/NS/Agent/ConnectionTest.asp');
  t.equal(ok.status, 200, 'the NS still answers');
});

t.test('the codec: both paths give the same typed error; at the limit the element parses', async (t) => {
  const at = `<r${attrs(4096)}/>`;
  t.equal(Object.keys(parseXml(at, { maxBytes: 1e8, maxDepth: 4 }).attrs).length, 4096);
  t.equal(Object.keys(parseXml(`<!--c--><r${attrs(4096)}/>`, { maxBytes: 1e8, maxDepth: 4 }).attrs).length, 4096);
  for (const doc of [`<r${attrs(4097)}/>`, `<!--c--><r${attrs(4097)}/>`, `<r${attrs(50)}><s${attrs(9)} b="&amp;"/></r>`]) {
    const limits = { maxBytes: 1e8, maxDepth: 4, maxAttributes: doc.length > 10_000 ? 4096 : 9 };
    t.throws(() => parseXml(doc, limits), { code: 'SMP_ERR_TOO_LARGE' });
  }
});
