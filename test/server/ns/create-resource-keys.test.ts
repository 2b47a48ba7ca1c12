// CreateResource without <keys> for a computer already registered by name.domain (in another
// domain spelling) returns that computer's GUID instead of making a duplicate; two computers of the
// same host name in different domains leave a keyless request unmatched.
import t from 'tap';
import { agentKey } from '../../helpers/agent-key.js';
import { register } from '../../helpers/agent-requests.js';
import { startTestNs } from '../../helpers/ns.js';
import { decodeCreateResourceResponse } from '../../../shared/protocol/create-resource.js';

const guidOf = (text: string): string => decodeCreateResourceResponse(text).guid;

t.test('a keyless registration finds the computer by its name', async (t) => {
  const lab = await startTestNs({ store: 'memory' });
  t.teardown(() => lab.close());
  const key = agentKey();
  const first = guidOf((await register(lab.http, { name: 'WS-7', policyKey: key.policyKey })).text);
  const again = await register(lab.http, { name: 'ws-7', policyKey: key.policyKey, guid: null, keys: [] });
  t.equal(again.status, 200, again.text);
  t.equal(guidOf(again.text), first, 'the same resource');
  const count = async (): Promise<number> => Promise.resolve(lab.ns.store.resources.count());
  t.equal(await count(), 1, 'no duplicate');

  await register(lab.http, { name: 'WS-8', policyKey: agentKey().policyKey, keys: [{ type: 'name.domain', value: 'WS-8.ONE' }] });
  await register(lab.http, { name: 'WS-8', policyKey: agentKey().policyKey, keys: [{ type: 'name.domain', value: 'WS-8.TWO' }] });
  const ambiguous = await register(lab.http, { name: 'WS-8', policyKey: agentKey().policyKey, guid: null, keys: [] });
  t.equal(ambiguous.status, 200);
  t.equal(await count(), 4, 'two computers named WS-8: a keyless request is a new one');
  const prefix = await register(lab.http, { name: 'WS', policyKey: agentKey().policyKey, guid: null, keys: [] });
  t.not(guidOf(prefix.text), first, 'WS is not WS-7');
});
