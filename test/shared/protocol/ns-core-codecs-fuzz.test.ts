// Random and mutated inputs to every NS codec: each gives a value or a typed SmpError, never a
// crash or a hang. Seeded, so a failure can be replayed.
import t from 'tap';
import { SmpError } from '../../../shared/errors.js';
import { decodeCreateResourceRequest, decodeCreateResourceResponse, encodeCreateResourceRequest } from '../../../shared/protocol/create-resource.js';
import { decodeClientPoliciesQuery, decodeClientPoliciesResponse, decodeClientPoliciesXml, encodeClientPoliciesPost, renderPolicies, wrapPoliciesResponse } from '../../../shared/protocol/client-policies.js';
import { decodeNse, encodeNse } from '../../../shared/protocol/nse.js';
import { decodePolicyKey } from '../../../shared/protocol/policy-key.js';
import { labCompress, labDecompress } from '../../../shared/protocol/lab-compression.js';
import { decodeSecuredPolicy, encodeSecuredPolicy } from '../../../shared/protocol/secured-policy.js';
import { agentKey } from '../../helpers/agent-key.js';

const G = '8B031AC8-AB06-4460-998C-94837C9C4AE8';
let seed = 0x5eed;
const rnd = (n: number): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const ALPHABET = '<>/="\' abcdefgxyz{}-0123456789&;!?[]\n\u00e9\uffff';

function mutate(input: string): string {
  const chars = [...input];
  for (let i = rnd(6) + 1; i > 0; i -= 1) {
    const at = rnd(chars.length + 1);
    const op = rnd(4);
    if (op === 0) chars.splice(at, 1);
    else if (op === 1) chars.splice(at, 0, ALPHABET[rnd(ALPHABET.length)]!);
    else if (op === 2) chars.splice(at, rnd(20));
    else chars.splice(at, 0, ...chars.slice(rnd(chars.length), rnd(chars.length)));
  }
  return chars.join('');
}
const randomText = (): string => Array.from({ length: rnd(200) }, () => ALPHABET[rnd(ALPHABET.length)]).join('');

interface Checks {
  pass(m: string): void;
  fail(m: string): void;
}

function survives(t: Checks, name: string, fn: (s: string) => unknown, runs: number, input: () => string): void {
  let typed = 0;
  for (let i = 0; i < runs; i += 1) {
    const s = input();
    try {
      fn(s);
    } catch (err) {
      if (!(err instanceof SmpError)) {
        t.fail(`${name} threw ${(err as Error).name}: ${(err as Error).message} for ${JSON.stringify(s.slice(0, 200))}`);
        return;
      }
      typed += 1;
    }
  }
  t.pass(`${name}: ${runs} inputs, ${typed} typed refusals, no crash`);
}

t.test('XML decoders survive random and mutated input', async (t) => {
  const k = agentKey();
  const seeds: [string, (s: string) => unknown, string][] = [
    ['CreateResource request', decodeCreateResourceRequest, encodeCreateResourceRequest({ guid: G, name: 'WS', policyKey: k.policyKey,
      regRequest: { guid: G, state: 'new' }, keys: [{ type: 'fqdn', value: 'ws.lab' }], rekeySignature: null })],
    ['CreateResource response', decodeCreateResourceResponse, `<resource guid="{${G}}" typeGuid="{${G}}" status="allowed"/>`],
    ['GetClientPolicies request', decodeClientPoliciesXml, encodeClientPoliciesPost({ guid: G, typeGuid: G, configVersion: '2', secured: true, compress: false, hash: 'AB', wrkstaName: null })],
    ['GetClientPolicies response', decodeClientPoliciesResponse, wrapPoliciesResponse({ nsVersion: '7', hash: 'h', guid: G, status: 'allowed' },
      renderPolicies([{ guid: G, name: 'p', version: '1', clientPolicies: [{ agentClsid: 'A', content: [{ name: 'S', attrs: { a: '1', b: '2' }, secure: ['b'] }] }] }], true))],
    ['NSE', decodeNse, encodeNse({ to: 'x', priority: 1, msgId: G, kind: 'inventory', inventory: { resources: [{ ref: '0', guid: G, name: 'n', typeGuid: G }],
      classes: [{ id: 'c', rows: [{ resourceRef: '0', columns: ['a', 'b'] }] }] } })],
  ];
  for (const [name, fn, good] of seeds) {
    t.doesNotThrow(() => fn(good), `${name} seed decodes`);
    survives(t, `${name} mutated`, fn, 800, () => mutate(good));
    survives(t, `${name} random`, fn, 300, randomText);
  }
  survives(t, 'legacy query', (s) => decodeClientPoliciesQuery(Object.fromEntries(new URLSearchParams(s))), 500, () => mutate(`WrkstaGuid=${G}&Hash=x&Compress=1`));
  survives(t, 'policyKey', decodePolicyKey, 1000, () => mutate(k.policyKey));
});

t.test('binary decoders survive mutated input', async (t) => {
  const k = agentKey();
  const packed = labCompress('<message>'.repeat(200));
  survives(t, 'SLZ1', (s) => labDecompress(Buffer.from(s, 'latin1'), 1 << 20), 1000, () => mutate(packed.toString('latin1')));
  const env = encodeSecuredPolicy(Buffer.from('<response/>'), decodePolicyKey(k.policyKey));
  survives(t, 'secured envelope', (s) => decodeSecuredPolicy(Buffer.from(s, 'latin1'), k.privatePem), 40, () => mutate(env.toString('latin1')));
});
