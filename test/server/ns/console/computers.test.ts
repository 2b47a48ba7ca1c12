// The console's Computers API: server-side search, state filter, sort and paging over the store,
// each row with its address, OS flavour, policy hash, latest event and task; a computer's page.
import t from 'tap';
import { decodeCreateResourceResponse, encodeCreateResourceRequest } from '../../../../shared/protocol/create-resource.js';
import { agentKey } from '../../../helpers/agent-key.js';
import { inventoryNse, XML } from '../../../helpers/agent-requests.js';
import { send, sendAdmin, startTestNs } from '../../../helpers/ns.js';

interface Page {
  total: number;
  computers: { guid: string; name: string; state: string; address: string | null; os: string | null; policyHash: string;
    lastEvent: { eventClass: string | null } | null; lastSeenAt: number | null }[];
}

const guidOf = (i: number) => `0000${String(i).padStart(4, '0')}-0000-4000-8000-000000000000`;

t.test('search, sort and paging over 300 computers', async (t) => {
  const lab = await startTestNs({ store: 'memory' });
  t.teardown(() => lab.close());
  const { resources } = lab.ns.store;
  for (let i = 0; i < 300; i += 1) {
    const state = i % 10 === 0 ? 'blocked' : i % 3 === 0 ? 'pending' : 'allowed';
    resources.create({ guid: guidOf(i), name: `WS-${String(i).padStart(3, '0')}`, domain: 'lab.local', fqdn: null, uniqueId: null,
      typeGuid: '493435F7-3B17-4C4C-B07F-C23E7AB7781F', policyKey: 'AAAA', state }, []);
  }
  const get = async (q: string): Promise<Page> => {
    const r = await sendAdmin(lab.http, `/Altiris/Console/api/computers${q}`);
    t.equal(r.status, 200, r.text);
    return JSON.parse(r.text) as Page;
  };
  const first = await get('');
  t.equal(first.total, 300);
  t.equal(first.computers.length, 50, 'a page of 50 by default');
  t.same(first.computers.slice(0, 2).map((c) => c.name), ['WS-000', 'WS-001'], 'sorted by name');
  const last = await get('?offset=250');
  t.equal(last.computers.at(-1)!.name, 'WS-299');
  const desc = await get('?sort=name&dir=desc&limit=3');
  t.same(desc.computers.map((c) => c.name), ['WS-299', 'WS-298', 'WS-297']);
  const byState = await get('?sort=state&limit=500');
  t.same([...new Set(byState.computers.map((c) => c.state))], ['allowed', 'blocked', 'pending'], 'grouped by state');
  const blocked = await get('?state=blocked&limit=500');
  t.equal(blocked.total, 30);
  t.ok(blocked.computers.every((c) => c.state === 'blocked'));
  const search = await get('?q=ws-12');
  t.same(search.computers.map((c) => c.name), ['WS-120', 'WS-121', 'WS-122', 'WS-123', 'WS-124', 'WS-125', 'WS-126', 'WS-127',
    'WS-128', 'WS-129'], 'search is a case-insensitive substring');
  t.equal(search.total, 10);
  t.equal((await get(`?q=${guidOf(7).slice(0, 8)}`)).total, 1, 'search matches the GUID');
  t.equal((await get('?q=%25')).total, 0, 'LIKE wildcards are literal');
  const allowedHash = first.computers.find((c) => c.state === 'allowed')!.policyHash;
  t.not(allowedHash, first.computers.find((c) => c.state === 'blocked')!.policyHash, 'only allowed computers get the policy set');
  for (const bad of ['?sort=size', '?dir=up', '?limit=501', '?offset=-1', '?state=gone', `?q=${'x'.repeat(129)}`]) {
    const r = await sendAdmin(lab.http, `/Altiris/Console/api/computers${bad}`);
    t.equal(r.status, 400, bad);
    t.match(JSON.parse(r.text), { error: { code: 'SMP_ERR_BAD_INPUT' } });
  }
});

t.test('a registered computer: address, OS, last check-in, events and its page', async (t) => {
  const lab = await startTestNs({ store: 'memory' });
  t.teardown(() => lab.close());
  const key = agentKey();
  const reg = await send(lab.http, '/Altiris/NS/Agent/CreateResource.aspx', { method: 'POST',
    headers: { ...XML, 'user-agent': 'Altiris-Agent/windows smp-lab' },
    body: encodeCreateResourceRequest({ guid: null, name: 'CONSOLE-1', policyKey: key.policyKey, regRequest: null,
      keys: [{ type: 'name.domain', value: 'CONSOLE-1.LAB' }], rekeySignature: null }) });
  t.equal(reg.status, 200, reg.text);
  const guid = decodeCreateResourceResponse(reg.text).guid;
  t.equal((await send(lab.http, `/Altiris/NS/Agent/GetClientPolicies.aspx?WrkstaGuid=${guid}&Hash=`)).status, 200);
  const ev = await send(lab.http, '/Altiris/NS/Agent/PostEvent.aspx', { headers: XML, body: inventoryNse(guid, 'CONSOLE-1') });
  t.equal(ev.status, 200, ev.text);
  const page = JSON.parse((await sendAdmin(lab.http, '/Altiris/Console/api/computers?q=console-1')).text) as Page;
  t.equal(page.total, 1);
  const c = page.computers[0]!;
  t.match(c, { guid, name: 'CONSOLE-1', address: '127.0.0.1', os: 'windows', state: 'allowed' });
  t.ok(c.lastSeenAt !== null, 'the check-in shows before the last-seen flush');
  t.ok(c.lastEvent?.eventClass, 'the latest event and its class');
  const one = JSON.parse((await sendAdmin(lab.http, `/Altiris/Console/api/computers/${guid.toLowerCase()}`)).text) as {
    guid: string; policies: { name: string }[]; events: unknown[]; tasks: unknown[];
  };
  t.equal(one.guid, guid);
  t.ok(one.policies.some((p) => p.name === 'Lab agent settings'), 'the policies it gets');
  t.equal(one.events.length, 1);
  t.same(one.tasks, []);
  t.equal((await sendAdmin(lab.http, '/Altiris/Console/api/computers/not-a-guid')).status, 400);
  t.equal((await sendAdmin(lab.http, `/Altiris/Console/api/computers/${guidOf(1)}`)).status, 404);
});
