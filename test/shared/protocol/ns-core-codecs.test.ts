import t from 'tap';
import { isSmpError } from '../../../shared/errors.js';
import { braced, parseGuid } from '../../../shared/protocol/guid.js';
import { decodePolicyKey, encodePolicyKey, POLICY_KEY_BYTES } from '../../../shared/protocol/policy-key.js';
import {
  decodeCreateResourceRequest, decodeCreateResourceResponse, encodeCreateResourceRequest, encodeCreateResourceResponse,
} from '../../../shared/protocol/create-resource.js';
import {
  decodeClientPoliciesQuery, decodeClientPoliciesResponse, decodeClientPoliciesXml, encodeClientPoliciesPost,
  encodeClientPoliciesQuery, renderPolicies, wrapPoliciesResponse,
} from '../../../shared/protocol/client-policies.js';
import { decodeNse, encodeNse, type NseMessage } from '../../../shared/protocol/nse.js';
import { labCompress, labDecompress } from '../../../shared/protocol/lab-compression.js';
import { ctrFromEcb, decodeSecuredPolicy, encodeSecuredPolicy } from '../../../shared/protocol/secured-policy.js';
import { signRekey, verifyRekey } from '../../../shared/protocol/rekey-proof.js';
import { createCipheriv } from 'node:crypto';
import { agentKey } from '../../helpers/agent-key.js';

const G = '8B031AC8-AB06-4460-998C-94837C9C4AE8';

t.test('GUIDs: accepted spellings and refusals', async (t) => {
  for (const ok of [G, braced(G), G.toLowerCase(), ` {${G.toLowerCase()}} `]) t.equal(parseGuid(ok), G, ok);
  for (const bad of ['', '{' + G, G + '}', 'not-a-guid', G.replace('-', ''), 42, null, 'x'.repeat(100)]) {
    t.throws(() => parseGuid(bad), { code: 'SMP_ERR_BAD_GUID' }, String(bad).slice(0, 20));
  }
});

t.test('policyKey blob: 262 bytes, version/flags zero, 3-byte exponent, 256-byte modulus', async (t) => {
  const k = agentKey();
  const blob = Buffer.from(k.policyKey, 'base64');
  t.equal(blob.length, POLICY_KEY_BYTES);
  t.same([...blob.subarray(0, 6)], [0, 0, 0, 1, 0, 1], 'version 0, flags 0, zero, exponent 65537');
  const decoded = decodePolicyKey(k.policyKey);
  t.equal(decoded.exponent, 65537);
  t.equal(encodePolicyKey(decoded), k.policyKey, 'round trip');
  const table: [string, unknown, string][] = [
    ['missing', '', 'SMP_ERR_MISSING_PARAMETER'],
    ['not base64', '!!!!', 'SMP_ERR_CRYPTO'],
    ['short', Buffer.alloc(100).toString('base64'), 'SMP_ERR_CRYPTO'],
    ['version 1', Buffer.concat([Buffer.from([1]), blob.subarray(1)]).toString('base64'), 'SMP_ERR_UNSUPPORTED_VERSION'],
    ['even exponent', Buffer.concat([blob.subarray(0, 5), Buffer.from([2]), blob.subarray(6)]).toString('base64'), 'SMP_ERR_CRYPTO'],
    ['huge', 'A'.repeat(5000), 'SMP_ERR_CRYPTO'],
  ];
  for (const [name, input, code] of table) t.throws(() => decodePolicyKey(input), { code }, name);
});

t.test('CreateResource request/response both directions', async (t) => {
  const k = agentKey();
  const req = { guid: G, name: 'WS-0042', policyKey: k.policyKey, regRequest: { guid: G, state: 'new' },
    keys: [{ type: 'name.domain' as const, value: 'WS-0042.LAB' }, { type: 'fqdn' as const, value: 'ws-0042.lab.local' }], rekeySignature: null };
  t.same(decodeCreateResourceRequest(encodeCreateResourceRequest(req)), req);
  const first = decodeCreateResourceRequest(`<resource guid="" name="WS-1" policyKey="${k.policyKey}"><regRequest guid="" state="new"/></resource>`);
  t.equal(first.guid, null);
  t.same(first.keys, []);
  const res = { guid: G, typeGuid: '493435F7-3B17-4C4C-B07F-C23E7AB7781F', status: 'pending' as const };
  t.equal(encodeCreateResourceResponse(res), `<resource guid="{${G}}" typeGuid="{493435F7-3B17-4C4C-B07F-C23E7AB7781F}" status="pending"/>`);
  t.same(decodeCreateResourceResponse(encodeCreateResourceResponse(res)), res);
  const bad: [string, string][] = [
    ['<resource', 'SMP_ERR_BAD_XML'],
    ['<request/>', 'SMP_ERR_BAD_XML'],
    ['<resource policyKey="x"/>', 'SMP_ERR_MISSING_PARAMETER'],
    ['<resource name="a"/>', 'SMP_ERR_MISSING_PARAMETER'],
    ['<resource name="a" policyKey="x" guid="nope"/>', 'SMP_ERR_BAD_GUID'],
    ['<resource name="a" policyKey="x"><keys><key type="mac" value="1"/></keys></resource>', 'SMP_ERR_BAD_INPUT'],
    ['<!DOCTYPE x [<!ENTITY a "b">]><resource name="&a;" policyKey="x"/>', 'SMP_ERR_BAD_XML'],
    [`<resource name="a" policyKey="x">${'<a>'.repeat(20)}${'</a>'.repeat(20)}</resource>`, 'SMP_ERR_BAD_XML'],
    ['<resource name="' + 'a'.repeat(70_000) + '" policyKey="x"/>', 'SMP_ERR_TOO_LARGE'],
  ];
  for (const [body, code] of bad) t.throws(() => decodeCreateResourceRequest(body), { code }, body.slice(0, 40));
  t.throws(() => decodeCreateResourceRequest(Buffer.from([0x3c, 0xff, 0xfe])), { code: 'SMP_ERR_BAD_INPUT' }, 'bad UTF-8');
});

t.test('GetClientPolicies requests: POST body and legacy GET parameters', async (t) => {
  const post = encodeClientPoliciesPost({ guid: G, typeGuid: '493435F7-3B17-4C4C-B07F-C23E7AB7781F', configVersion: '2', secured: true,
    compress: false, hash: 'ABC', wrkstaName: null });
  t.match(post, /^<request configVersion="2" securedPolicy="1" hash="ABC"><resources><resource required="true" host="true" guid="\{8B03/);
  t.same(decodeClientPoliciesXml(post), { form: 'post', guid: G, typeGuid: '493435F7-3B17-4C4C-B07F-C23E7AB7781F',
    configVersion: '2', secured: true, compress: false, hash: 'ABC', wrkstaName: null });
  const q = Object.fromEntries(new URLSearchParams(encodeClientPoliciesQuery({ guid: G, hash: 'H', configVersion: '1', compress: true, wrkstaName: 'WS' })));
  t.same(decodeClientPoliciesQuery(q), { form: 'get', guid: G, typeGuid: null, secured: false, hash: 'H', configVersion: '1', compress: true, wrkstaName: 'WS' });
  t.equal(decodeClientPoliciesQuery({ wrkstaguid: G.toLowerCase(), COMPRESS: 'Yes' }).compress, true, 'names in any case');
  t.equal(decodeClientPoliciesQuery({ Xml: post }).secured, true, 'Xml parameter holds the request');
  t.throws(() => decodeClientPoliciesQuery({}), { code: 'SMP_ERR_MISSING_PARAMETER' });
  t.throws(() => decodeClientPoliciesQuery({ WrkstaGuid: 'x' }), { code: 'SMP_ERR_BAD_GUID' });
  t.throws(() => decodeClientPoliciesXml('<request><resources/></request>'), { code: 'SMP_ERR_MISSING_PARAMETER' });
});

t.test('GetClientPolicies answer: rendered, withheld secrets, short answer, decoded back', async (t) => {
  const entries = [{ guid: G, name: 'A & B', version: '3', clientPolicies: [{ agentClsid: 'Altiris.X', content: [
    { name: 'Creds', attrs: { UserName: 'u', UserPassword: 'p<w>' }, secure: ['UserPassword'] },
    { name: 'List', children: [{ name: 'Item', text: 'one' }] },
  ] }] }];
  const withheld = renderPolicies(entries, false);
  t.notMatch(withheld, /p&lt;w&gt;/);
  t.match(withheld, /UserPassword="" UserPassword_SecureAttribute="withheld"/);
  const full = wrapPoliciesResponse({ nsVersion: '7.6', hash: 'H1', guid: G, status: 'allowed' }, renderPolicies(entries, true));
  const back = decodeClientPoliciesResponse(full);
  t.equal(back.unchanged, false);
  t.equal(back.policies[0]!.name, 'A & B');
  t.same(back.policies[0]!.clientPolicies[0]!.content[0], { name: 'Creds', attrs: { UserName: 'u', UserPassword: 'p<w>' }, secure: ['UserPassword'] });
  t.equal(back.policies[0]!.clientPolicies[0]!.content[1]!.children![0]!.text, 'one');
  const shortAnswer = decodeClientPoliciesResponse(wrapPoliciesResponse({ nsVersion: '7.6', hash: 'H1', guid: G, status: 'allowed' }, null));
  t.equal(shortAnswer.unchanged, true);
  t.same(shortAnswer.policies, []);
});

t.test('NSE: inventory round trip, refusals', async (t) => {
  const m: NseMessage = { to: '{1592B913-72F3-4C36-91D2-D4EDA21D2F96}', priority: 1, msgId: G, kind: 'inventory', inventory: {
    resources: [{ ref: '0', typeGuid: '493435F7-3B17-4C4C-B07F-C23E7AB7781F', name: 'WS-0042', guid: G }],
    classes: [{ id: '{9ED606E2-8080-4D39-A394-E2CD07D4C8FF}', rows: [{ resourceRef: '0', columns: ['WS-0042', 'LAB', 'a"b'] }] }],
  } };
  t.same(decodeNse(encodeNse(m)), m);
  t.throws(() => decodeNse('<message><body/></message>'), { code: 'SMP_ERR_MISSING_PARAMETER' });
  t.throws(() => decodeNse('<message><to>x</to></message>'), { code: 'SMP_ERR_MISSING_PARAMETER' });
  t.throws(() => decodeNse('<msg/>'), { code: 'SMP_ERR_BAD_XML' });
  t.throws(() => decodeNse('<message><to>x</to><body><inventory><inventoryClass guid="g"><data><resource resourceRef="0"><row c999="x"/></resource></data></inventoryClass></inventory></body></message>'),
    { code: 'SMP_ERR_BAD_INPUT' });
  const many = `<message><to>x</to><body><inventory><inventoryClass guid="g"><data><resource resourceRef="0">${'<row c0="1"/>'.repeat(11)}</resource></data></inventoryClass></inventory></body></message>`;
  t.throws(() => decodeNse(many, { maxBytes: 1e6, maxDepth: 32, maxRows: 10, maxColumns: 8 }), { code: 'SMP_ERR_TOO_LARGE' });
});

t.test('lab compression SLZ1: round trip and bounds', async (t) => {
  const text = 'x'.repeat(100_000);
  const packed = labCompress(text);
  t.equal(packed.subarray(0, 4).toString('latin1'), 'SLZ1');
  t.equal(packed.readUInt32BE(4), 100_000);
  t.equal(labDecompress(packed, 1e6).toString(), text);
  t.throws(() => labDecompress(packed, 1000), { code: 'SMP_ERR_TOO_LARGE' }, 'declared size over the limit');
  const lying = Buffer.from(packed);
  lying.writeUInt32BE(10, 4);
  t.throws(() => labDecompress(lying, 1e6), { code: 'SMP_ERR_BAD_FRAME' }, 'inflates past the declared size');
  t.throws(() => labDecompress(Buffer.from('SLZ1\0\0\0\x05garbage'), 1e6), { code: 'SMP_ERR_BAD_FRAME' });
  t.throws(() => labDecompress(Buffer.from('nope'), 1e6), { code: 'SMP_ERR_BAD_FRAME' });
});

t.test('secured envelope: layout, CTR-from-ECB keystream, MAC, wrong key', async (t) => {
  const k = agentKey();
  const plain = Buffer.from('<response nsVersion="7.6"><policies/></response>'.repeat(5));
  const secrets = { aesKey: Buffer.alloc(32, 7), iv: Buffer.alloc(16, 9), hashKey: Buffer.alloc(32, 3) };
  const env = encodeSecuredPolicy(plain, decodePolicyKey(k.policyKey), secrets);
  t.equal(env.readUInt16LE(0), 256, 'key block length');
  t.equal(env.length, 2 + 256 + plain.length + 32);
  // keystream block 1 is AES-ECB(key, IV with last four bytes XOR 1 little-endian)
  const ctr = Buffer.from(secrets.iv);
  ctr.writeUInt32LE(ctr.readUInt32LE(12) ^ 1, 12);
  const ks = createCipheriv('aes-256-ecb', secrets.aesKey, null).setAutoPadding(false).update(ctr);
  const cipherBlock1 = env.subarray(2 + 256 + 16, 2 + 256 + 32);
  t.same([...cipherBlock1], [...plain.subarray(16, 32)].map((b, i) => b ^ ks[i]!), 'block 1 uses counter 1');
  t.same(ctrFromEcb(secrets.aesKey, secrets.iv, ctrFromEcb(secrets.aesKey, secrets.iv, plain)), plain);
  const opened = decodeSecuredPolicy(env, k.privatePem);
  t.equal(opened.plain.toString(), plain.toString());
  t.equal(opened.headerVersion, 2);
  const tampered = Buffer.from(env);
  tampered[300] = tampered[300]! ^ 1;
  t.throws(() => decodeSecuredPolicy(tampered, k.privatePem), { code: 'SMP_ERR_CRYPTO' }, 'MAC catches a flipped bit');
  t.throws(() => decodeSecuredPolicy(env, agentKey().privatePem), { code: 'SMP_ERR_CRYPTO' }, 'another key cannot open it');
  t.throws(() => decodeSecuredPolicy(env.subarray(0, 20), k.privatePem), { code: 'SMP_ERR_BAD_FRAME' });
});

t.test('re-key proof: only the old key signs a new key for this GUID', async (t) => {
  const oldKey = agentKey();
  const newKey = agentKey();
  const sig = signRekey(G, newKey.policyKey, oldKey.privateKey);
  const old = decodePolicyKey(oldKey.policyKey);
  t.ok(verifyRekey(G, newKey.policyKey, old, sig));
  t.notOk(verifyRekey('00000000-0000-0000-0000-000000000001', newKey.policyKey, old, sig), 'bound to the GUID');
  t.notOk(verifyRekey(G, newKey.policyKey, old, signRekey(G, newKey.policyKey, newKey.privateKey)), 'self-signed new key refused');
  t.notOk(verifyRekey(G, newKey.policyKey, old, 'garbage'));
});

t.test('errors thrown by codecs are SmpErrors', async (t) => {
  try {
    decodeNse('<');
    t.fail('should throw');
  } catch (err) {
    t.ok(isSmpError(err, 'BAD_XML'));
  }
});
