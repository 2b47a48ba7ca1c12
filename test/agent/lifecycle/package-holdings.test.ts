// What agents want and hold: wanted lists from the served SWD policy (GUID, version, status events),
// pending packages, held versions replacing older ones of the same package, the bounded version table.
import t from 'tap';
import { PackageHoldings, MAX_HELD_VERSIONS } from '../../../agent/lifecycle/package-holdings.js';
import { settingsOf } from '../../../agent/lifecycle/messages.js';
import type { ClientPoliciesResponse } from '../../../shared/protocol/client-policies.js';

const G1 = 'ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84';
const G2 = '11111111-2222-3333-4444-555555555555';

t.test('settings read the SWD policy packages', async (t) => {
  const soft = (attrs: Record<string, string>) => ({ name: 'SoftPkg', attrs, children: [] });
  const r = { policies: [{ clientPolicies: [{ agentClsid: 'Altiris.SWD', content: [{ name: 'SoftPkgs', attrs: {}, children: [
    soft({ Id: `{${G1.toLowerCase()}}`, Version: '1', InternalVersion: '3', StatusEventsEnabled: 'True' }),
    soft({ Id: `{${G2}}`, Version: 'x', StatusEventsEnabled: 'False' }),
    soft({ Id: `{${G1}}`, Version: '9' }),
    soft({ Id: 'not-a-guid' }),
  ] }] }] }] } as unknown as ClientPoliciesResponse;
  t.same(settingsOf(r).packages, [{ guid: G1, version: 3, statusEvents: true }, { guid: G2, version: 0, statusEvents: false }]);
});

t.test('pending, held and replaced versions; shared lists are stored once', async (t) => {
  const h = new PackageHoldings(3);
  const list = [{ guid: G1, version: 2, statusEvents: true }, { guid: G2, version: 0, statusEvents: true }];
  h.setWanted(0, list);
  h.setWanted(1, [...list]);
  t.equal(h.wantId[0], h.wantId[1], 'the same list is interned once');
  t.equal(h.pending(2), undefined, 'an agent without SWD policies wants nothing');
  t.equal(h.pending(0)?.guid, G1);
  t.ok(h.markHeld(0, G1, 1));
  t.equal(h.pending(0)?.guid, G1, 'version 1 is older than the version 2 wanted');
  t.ok(h.markHeld(0, G1, 2));
  t.notOk(h.holds(0, G1, 3));
  t.ok(h.holds(0, G1, 2) && !h.holds(1, G1, 0));
  t.equal(h.pending(0)?.guid, G2);
  t.ok(h.markHeld(0, G2, 7));
  t.equal(h.pending(0), undefined);
  t.equal(h.upToDate(), 1);
  t.ok(h.markHeld(0, G1, 1));
  t.notOk(h.holds(0, G1, 2), 'holding version 1 again replaced version 2');
  for (let v = 10; h.markHeld(2, G2, v); v++);
  t.notOk(h.markHeld(2, G2, 999), `the version table is bounded (${MAX_HELD_VERSIONS})`);
  t.ok(h.holds(0, G2, 7), 'earlier holdings are kept');
});
