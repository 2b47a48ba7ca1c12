import t from 'tap';
import { decodeCreateResourceResponse } from '../../../shared/protocol/create-resource.js';
import { decodeClientPoliciesResponse, encodeClientPoliciesPost, encodeClientPoliciesQuery } from '../../../shared/protocol/client-policies.js';
import { labCompress, labDecompress } from '../../../shared/protocol/lab-compression.js';
import { decodeSecuredPolicy } from '../../../shared/protocol/secured-policy.js';
import { signRekey } from '../../../shared/protocol/rekey-proof.js';
import { agentKey } from '../../helpers/agent-key.js';
import { inventoryNse, register, XML } from '../../helpers/agent-requests.js';
import { send, sendAdmin, startTestNs } from '../../helpers/ns.js';

const TYPE = '493435F7-3B17-4C4C-B07F-C23E7AB7781F';

t.test('agent lifecycle over HTTP and HTTPS: register, policies in every form, events', async (t) => {
  const lab = await startTestNs();
  t.teardown(() => lab.close());
  for (const base of [lab.http, lab.https]) {
    const key = agentKey();
    const name = base.startsWith('https') ? 'WS-TLS' : 'WS-PLAIN';
    const reg = await register(base, { name, policyKey: key.policyKey });
    t.equal(reg.status, 200, reg.text);
    const r = decodeCreateResourceResponse(reg.text);
    t.same({ typeGuid: r.typeGuid, status: r.status }, { typeGuid: TYPE, status: 'allowed' });
    const again = decodeCreateResourceResponse((await register(base, { name, policyKey: key.policyKey })).text);
    t.equal(again.guid, r.guid, 'same keys give the same GUID');
    const byFqdn = decodeCreateResourceResponse((await register(base, { name, policyKey: key.policyKey,
      keys: [{ type: 'fqdn', value: `${name.toUpperCase()}.LAB.LOCAL` }] })).text);
    t.equal(byFqdn.guid, r.guid, 'a matching fqdn key alone finds the computer');

    const post = (extra: { secured?: boolean; compress?: boolean; hash?: string | null }) => send(base, '/altiris/ns/agent/getclientpolicies.aspx', {
      headers: { ...XML, 'x-sma-id': r.guid },
      body: encodeClientPoliciesPost({ guid: r.guid, typeGuid: TYPE, configVersion: '2', secured: extra.secured ?? false,
        compress: extra.compress ?? false, hash: extra.hash ?? null, wrkstaName: null }),
    });
    const plain = await post({});
    t.equal(plain.status, 200);
    t.match(plain.headers['content-type'], /^text\/xml/);
    const policies = decodeClientPoliciesResponse(plain.text);
    t.same(policies.policies.map((p) => p.name).sort(), ['Lab agent settings', 'Lab inventory policy', 'Lab software delivery', 'Lab task agent settings']);
    t.match(plain.text, /UserPassword="" UserPassword_SecureAttribute="withheld"/, 'plain answer withholds the ACC password');
    t.match(plain.text, /<ClientPolicy agentClsid="Altiris.ClientTaskAgent"><settings timeout="30"/);

    const same = await post({ hash: policies.hash });
    t.same(decodeClientPoliciesResponse(same.text), { ...decodeClientPoliciesResponse(same.text), unchanged: true, policies: [] }, 'short answer');
    t.ok(same.text.length < 300, 'short answer is short');

    const compressed = await post({ compress: true });
    t.equal(compressed.headers['content-type'], 'binary/octet-stream');
    t.equal(labDecompress(compressed.body, 1 << 20).toString(), plain.text, 'compressed answer inflates to the plain one');

    const secured = await post({ secured: true });
    t.equal(secured.headers['content-type'], 'binary/octet-stream');
    t.notMatch(secured.body.toString('latin1'), /Policy|UserPassword/, 'nothing readable in the secured answer');
    const opened = decodeClientPoliciesResponse(decodeSecuredPolicy(secured.body, key.privatePem).plain);
    const acc = opened.policies.find((p) => p.name === 'Lab agent settings')!.clientPolicies[0]!.content.find((e) => e.name === 'PkgAccessCredentials')!;
    t.ok(acc.attrs!['UserPassword']!.length >= 16, 'the ACC password decrypts with the agent key');
    t.same(acc.secure, ['UserPassword']);
    t.throws(() => decodeSecuredPolicy(secured.body, agentKey().privatePem), { code: 'SMP_ERR_CRYPTO' }, 'no other key opens it');

    const both = await post({ secured: true, compress: true });
    t.equal(labDecompress(decodeSecuredPolicy(both.body, key.privatePem).plain, 1 << 20).toString().includes('PkgAccessCredentials'), true);

    const legacy = await send(base, `/Altiris/NS/Agent/GetClientPolicies.aspx?${encodeClientPoliciesQuery({ guid: r.guid, hash: null, configVersion: '1', compress: false, wrkstaName: name })}`);
    t.equal(legacy.text, plain.text, 'legacy GET answers like the POST');
    const legacyShort = await send(base, `/Altiris/NS/Agent/GetClientPolicies.aspx?wrkstaguid=${r.guid}&HASH=${policies.hash}`);
    t.match(legacyShort.text, /unchanged="true"/);

    const ev = await send(base, '/Altiris/NS/Agent/PostEvent.aspx', { headers: XML, body: inventoryNse(r.guid, name) });
    t.equal(ev.status, 200, ev.text);
    t.match(ev.text, /<response status="ok" id="\d+" queue="EvtQFast"/);
    const evAsp = await send(base, '/altiris/ns/agent/postevent.asp', { headers: { 'content-type': 'binary/octet-stream' }, body: labCompress(inventoryNse(r.guid, name, 20_000)) });
    t.match(evAsp.text, /queue="EvtQueue"/, 'compressed NSE decompressed and routed by its real size');
  }
});

t.test('re-key: refused without proof (and logged), accepted with a signature by the old key or by an admin', async (t) => {
  const lab = await startTestNs();
  t.teardown(() => lab.close());
  const owner = agentKey();
  const attacker = agentKey();
  const guid = decodeCreateResourceResponse((await register(lab.http, { name: 'VICTIM', policyKey: owner.policyKey })).text).guid;
  const attack = await register(lab.https, { name: 'ATTACKER', guid, policyKey: attacker.policyKey, keys: [{ type: 'fqdn', value: 'evil.example' }] });
  t.equal(attack.status, 403);
  t.match(attack.text, /<error code="SMP_ERR_FORBIDDEN" status="403">policyKey change for registered resource/);
  t.equal(lab.ns.store.resources.get(guid)!.policyKey, owner.policyKey, 'registered key kept');
  t.equal(lab.ns.store.resources.get(guid)!.pendingPolicyKey, attacker.policyKey, 'offered key held for an admin');
  const forged = await register(lab.http, { name: 'VICTIM', guid, policyKey: attacker.policyKey, rekeySignature: signRekey(guid, attacker.policyKey, attacker.privateKey) });
  t.equal(forged.status, 403, 'a signature by the new key is no proof');
  const secured = await send(lab.http, '/Altiris/NS/Agent/GetClientPolicies.aspx', { headers: XML,
    body: encodeClientPoliciesPost({ guid, typeGuid: TYPE, configVersion: '2', secured: true, compress: false, hash: null, wrkstaName: null }) });
  t.throws(() => decodeSecuredPolicy(secured.body, attacker.privatePem), { code: 'SMP_ERR_CRYPTO' }, 'policies still go to the owner only');
  t.doesNotThrow(() => decodeSecuredPolicy(secured.body, owner.privatePem));

  const next = agentKey();
  const proven = await register(lab.http, { name: 'VICTIM', guid, policyKey: next.policyKey, rekeySignature: signRekey(guid, next.policyKey, owner.privateKey) });
  t.equal(proven.status, 200, proven.text);
  t.equal(lab.ns.store.resources.get(guid)!.policyKey, next.policyKey, 'signed re-key accepted');

  const refused = await register(lab.http, { name: 'VICTIM', guid, policyKey: owner.policyKey });
  t.equal(refused.status, 403);
  const admin = await sendAdmin(lab.http, `/Altiris/Console/api/resources/${guid}/rekey`, { headers: { 'content-type': 'application/json' }, body: '{}' });
  t.equal(admin.status, 200, admin.text);
  t.equal(JSON.parse(admin.text).policyKey, owner.policyKey, 'admin accepted the offered key');
});

t.test('registration policy: pending resources get no policies until approved; blocked ones are refused', async (t) => {
  const lab = await startTestNs({ registrationPolicy: 'pending' });
  t.teardown(() => lab.close());
  const key = agentKey();
  const r = decodeCreateResourceResponse((await register(lab.http, { name: 'NEWBIE', policyKey: key.policyKey })).text);
  t.equal(r.status, 'pending');
  const ask = () => send(lab.http, `/Altiris/NS/Agent/GetClientPolicies.aspx?WrkstaGuid=${r.guid}`);
  t.same(decodeClientPoliciesResponse((await ask()).text).policies, []);
  const api = (state: string) => sendAdmin(lab.http, `/Altiris/Console/api/resources/${r.guid}/state`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state }) });
  t.equal((await api('allowed')).status, 200);
  t.equal(decodeClientPoliciesResponse((await ask()).text).policies.length, 4);
  t.equal((await api('blocked')).status, 200);
  const blocked = await ask();
  t.equal(blocked.status, 403);
  t.match(blocked.text, /blocked by the registration policy/);
  t.equal((await api('bogus')).status, 400);
});
