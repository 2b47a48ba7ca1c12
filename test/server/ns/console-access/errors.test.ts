// Error answers of the console and its API: malformed JSON 400, an oversized body 413 (after the
// credentials are checked: an anonymous body is never read), and a failing handler answers 500 with a
// code and no message or stack of its own.
import t from 'tap';
import { defineNsPlugin } from '../../../../server/ns/context.js';
import { jsonErrorHandler } from '../../../../server/ns/http-errors.js';
import { adminHeaders } from '../../../helpers/console-credentials.js';
import { send, sendAdmin, startTestNs } from '../../../helpers/ns.js';

const SECRET = 'db password is hunter2';
const failing = defineNsPlugin({
  name: 'test-failing', prefix: '/Altiris/Console/api/failing',
  async register(scope) {
    scope.setErrorHandler(jsonErrorHandler);
    scope.get('/', async () => {
      throw new TypeError(SECRET);
    });
  },
});
const failingPage = defineNsPlugin({
  name: 'test-failing-page', prefix: '/Altiris/Console/failing-page',
  async register(scope) {
    scope.get('/', async () => {
      throw new RangeError(SECRET);
    });
  },
});

t.test('malformed and oversized API bodies; a 500 tells nothing internal', async (t) => {
  const lab = await startTestNs({ store: 'memory', plugins: [failing, failingPage] });
  t.teardown(() => lab.close());
  const json = adminHeaders({ 'content-type': 'application/json' });
  const policy = '/Altiris/Console/api/policies/D1E2F3A4-B5C6-4D7E-8F90-A1B2C3D4E5F6';
  const malformed = await send(lab.http, policy, { method: 'PUT', headers: json, body: '{"name": ' });
  t.equal(malformed.status, 400);
  t.equal(JSON.parse(malformed.text).error.code, 'SMP_ERR_BAD_INPUT');
  const big = JSON.stringify({ name: 'x', agentClsid: 'A', content: [{ name: 'a', text: 'x'.repeat(2 << 20) }] });
  const tooLarge = await send(lab.http, policy, { method: 'PUT', headers: json, body: big });
  t.equal(tooLarge.status, 413);
  t.equal(JSON.parse(tooLarge.text).error.code, 'SMP_ERR_TOO_LARGE');
  const anonymous = await send(lab.http, policy, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: big });
  t.equal(anonymous.status, 401, 'anonymous: refused before the body is read');

  for (const path of ['/Altiris/Console/api/failing', '/Altiris/Console/failing-page']) {
    const r = await sendAdmin(lab.http, path);
    t.equal(r.status, 500, `${path}: 500`);
    t.match(r.text, /SMP_ERR_INTERNAL/);
    t.notMatch(r.text, /hunter2|TypeError|RangeError|\.js:\d+|at /, `${path}: no internal message or stack`);
  }
});
