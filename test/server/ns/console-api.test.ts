import t from 'tap';
import { decodeClientPoliciesResponse } from '../../../shared/protocol/client-policies.js';
import { decodeCreateResourceResponse } from '../../../shared/protocol/create-resource.js';
import { decodeSecuredPolicy } from '../../../shared/protocol/secured-policy.js';
import { agentKey } from '../../helpers/agent-key.js';
import { inventoryNse, register, XML } from '../../helpers/agent-requests.js';
import { send, sendAdmin, startTestNs } from '../../helpers/ns.js';
import { waitUntil } from '../../helpers/wait.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const P = 'D1E2F3A4-B5C6-4D7E-8F90-A1B2C3D4E5F6';

t.test('policies edited through the admin API reach the agents; the hash changes; secrets stay secret', async (t) => {
  const lab = await startTestNs();
  t.teardown(() => lab.close());
  const key = agentKey();
  const guid = decodeCreateResourceResponse((await register(lab.https, { name: 'EDIT', policyKey: key.policyKey })).text).guid;
  const pull = async (hash = '') => send(lab.https, `/Altiris/NS/Agent/GetClientPolicies.aspx?WrkstaGuid=${guid}&Hash=${hash}`);
  const before = decodeClientPoliciesResponse((await pull()).text);
  const list = JSON.parse((await sendAdmin(lab.http, '/Altiris/Console/api/policies')).text) as { policies: { name: string; content: { name: string; attrs?: Record<string, string> }[] }[] };
  const acc = list.policies.find((p) => p.name === 'Lab agent settings')!.content.find((e) => e.name === 'PkgAccessCredentials')!;
  t.equal(acc.attrs!['UserPassword'], '', 'the API never returns a secure value');

  const put = await sendAdmin(lab.http, `/Altiris/Console/api/policies/${P}`, { method: 'PUT', headers: JSON_TYPE, body: JSON.stringify({
    name: 'Lab extra', agentClsid: 'Altiris.Lab', content: [{ name: 'Secret', attrs: { token: 's3cr3t-value', label: 'x' }, secure: ['token'],
      children: [{ name: 'Note', text: 'a < b' }] }] }) });
  t.equal(put.status, 200, put.text);
  t.equal(JSON.parse(put.text).version, 1);
  const after = await pull(before.hash);
  const decoded = decodeClientPoliciesResponse(after.text);
  t.equal(decoded.unchanged, false, 'old hash no longer current');
  t.not(decoded.hash, before.hash);
  t.ok(decoded.policies.some((p) => p.name === 'Lab extra'));
  t.notMatch(after.text, /s3cr3t-value/, 'secure value withheld from the plain answer');
  t.match(after.text, /<Note>a &lt; b<\/Note>/);
  const secured = await send(lab.https, '/Altiris/NS/Agent/GetClientPolicies.aspx', { headers: XML,
    body: `<request configVersion="2" securedPolicy="1"><resources><resource host="true" guid="{${guid}}"/></resources></request>` });
  t.match(decodeSecuredPolicy(secured.body, key.privatePem).plain.toString(), /token="s3cr3t-value" token_SecureAttribute="secured"/);

  const again = await sendAdmin(lab.http, `/Altiris/Console/api/policies/${P}`, { method: 'PUT', headers: JSON_TYPE, body: JSON.stringify({ name: 'Lab extra', enabled: false, agentClsid: 'Altiris.Lab', content: [] }) });
  t.equal(JSON.parse(again.text).version, 2, 'version rises');
  t.notOk(decodeClientPoliciesResponse((await pull()).text).policies.some((p) => p.name === 'Lab extra'), 'disabled policy not sent');
  t.equal((await sendAdmin(lab.http, `/Altiris/Console/api/policies/${P}`, { method: 'DELETE' })).status, 204);
  t.equal((await sendAdmin(lab.http, `/Altiris/Console/api/policies/${P}`)).status, 404);

  const bad: [unknown, RegExp][] = [
    [[], /expected a JSON object/],
    [{ name: '', agentClsid: 'A', content: [] }, /policy name/],
    [{ name: 'n', agentClsid: 'A B', content: [] }, /agentClsid/],
    [{ name: 'n', agentClsid: 'A', content: [{ name: '1bad' }] }, /XML element name/],
    [{ name: 'n', agentClsid: 'A', content: [{ name: 'a', attrs: { x: 1 } }] }, /attrs.x/],
    [{ name: 'n', agentClsid: 'A', content: [{ name: 'a', attrs: { x: '1' }, secure: ['y'] }] }, /secure/],
  ];
  for (const [body, reason] of bad) {
    const r = await sendAdmin(lab.http, `/Altiris/Console/api/policies/${P}`, { method: 'PUT', headers: JSON_TYPE, body: JSON.stringify(body) });
    t.equal(r.status, 400);
    t.match(JSON.parse(r.text).error.message, reason);
  }
});

t.test('stored events are processed in the background and listed by the API', async (t) => {
  const lab = await startTestNs({ events: { drainIntervalMs: 20 } });
  t.teardown(() => lab.close());
  const key = agentKey();
  const guid = decodeCreateResourceResponse((await register(lab.http, { name: 'EV', policyKey: key.policyKey })).text).guid;
  const ok = await send(lab.http, '/Altiris/NS/Agent/PostEvent.aspx', { headers: XML, body: inventoryNse(guid, 'EV') });
  const id = Number(/id="(\d+)"/.exec(ok.text)![1]);
  await waitUntil(() => lab.ns.store.events.get(id)?.state === 'processed', 'event processed');
  const listed = JSON.parse((await sendAdmin(lab.http, '/Altiris/Console/api/events')).text) as { total: number; queued: Record<string, number>; events: { id: number; resourceGuid: string; queue: string }[] };
  t.equal(listed.total, 1);
  t.same(listed.queued, { fast: 0, normal: 0, slow: 0, large: 0 });
  t.same({ id: listed.events[0]!.id, resourceGuid: listed.events[0]!.resourceGuid, queue: listed.events[0]!.queue }, { id, resourceGuid: guid, queue: 'fast' });
  const body = await sendAdmin(lab.http, `/Altiris/Console/api/events/${id}`);
  t.match(body.text, /^<message><to>\{1592B913/);
  t.ok(lab.ns.store.resources.get(guid)!.lastSeenAt, 'sender marked as seen');
  t.equal((await sendAdmin(lab.http, '/Altiris/Console/api/events/999')).status, 404);
  t.equal((await sendAdmin(lab.http, '/Altiris/Console/api/events?limit=abc')).status, 400);
});
