// The package multicast election score: a pure function of the agent's GUID and OS (the same fleet
// elects the same masters), the public criteria in the documented formula, +25 % on a server OS.
import t from 'tap';
import { FleetIdentities, OS_FLAVOURS } from '../../../agent/fleet/identity.js';
import { hardwareProfile, multicastRank } from '../../../agent/fleet/multicast-rank.js';

t.test('deterministic, documented formula, server OS bonus', async (t) => {
  const ids = new FleetIdentities({ seed: 'rank', ipBase: '127.1.0.1' });
  const again = new FleetIdentities({ seed: 'rank', ipBase: '127.1.0.1' });
  const ranks = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const id = ids.identity(i);
    const r = multicastRank(id);
    t.equal(r, multicastRank(again.identity(i)), 'same seed, same rank');
    const p = hardwareProfile(id);
    t.ok([2, 4, 8, 16].includes(p.cpus) && p.mhz >= 1800 && p.mhz < 4000 && p.freeRamMiB >= 512 && p.freeRamMiB < 32_257);
    t.equal(r, Math.floor(((p.cpus * p.mhz) / 10 + p.freeRamMiB / 8) * (p.serverOs ? 1.25 : 1)));
    ranks.add(r);
  }
  t.ok(ranks.size > 150, 'ranks spread over the fleet');
  const server = OS_FLAVOURS.find((f) => /server/i.test(f.name))!;
  const desktop = OS_FLAVOURS.find((f) => !/server/i.test(f.name))!;
  const id = ids.identity(7);
  const p = hardwareProfile(id);
  const raw = (p.cpus * p.mhz) / 10 + p.freeRamMiB / 8;
  t.equal(multicastRank({ ...id, os: desktop }), Math.floor(raw));
  t.equal(multicastRank({ ...id, os: server }), Math.floor(raw * 1.25), 'the same hardware on a server OS ranks 25 % higher');
});
