// The cached-halves answer is byte for byte the codec's answer, for every status and both forms.
import t from 'tap';
import { wrapPoliciesResponse } from '../../../shared/protocol/client-policies.js';
import { newGuid } from '../../../shared/protocol/guid.js';
import { PlainAnswerBytes } from '../../../server/ns/policies/answer-bytes.js';

t.test('plain answer bytes equal wrapPoliciesResponse', async (t) => {
  const plain = new PlainAnswerBytes('7.6.1645.0');
  const renders = [
    { plain: '<policies><Policy guid="{1}" name="a &amp; b" version="1"/></policies>', secured: '', hash: 'AB12' },
    { plain: '<policies/>', secured: '', hash: 'CD34' },
  ];
  for (const rendered of renders) {
    for (const status of ['allowed', 'pending']) {
      for (const unchanged of [false, true]) {
        for (let i = 0; i < 3; i += 1) {
          const guid = newGuid();
          const want = wrapPoliciesResponse({ nsVersion: '7.6.1645.0', hash: rendered.hash, guid, status }, unchanged ? null : rendered.plain);
          t.equal(plain.bytes(rendered, guid, status, unchanged).toString('utf8'), want, `${rendered.hash} ${status} unchanged=${unchanged}`);
        }
      }
    }
  }
});
