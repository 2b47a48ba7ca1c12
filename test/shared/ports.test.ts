// The resolved port map: offsets and per-flow overrides are applied once, and bad values are
// config errors that name the value and what is allowed.
import t from 'tap';
import { resolvePorts } from '../../shared/ports.js';
import { isSmpError } from '../../shared/errors.js';
import { CATALOG } from '../../shared/catalog.js';

t.test('defaults are the catalog ports', async (t) => {
  const map = resolvePorts();
  for (const f of CATALOG) t.equal(map.flow(f.id).port, f.port, f.id);
});

t.test('an offset moves every port and keeps the default visible', async (t) => {
  const map = resolvePorts({ offset: 10000 });
  t.equal(map.port('ns-agent-http'), (CATALOG.find((f) => f.id === 'ns-agent-http')?.port ?? 0) + 10000);
  t.equal(map.flow('ns-agent-http').defaultPort, CATALOG.find((f) => f.id === 'ns-agent-http')?.port);
  t.equal(map.flow('cp-icmp').port, null, 'ICMP has no port to move');
});

t.test('a per-flow override wins over the offset for that flow only', async (t) => {
  const map = resolvePorts({ offset: 1000, perFlow: { 'ns-tickle': 40000 } });
  t.equal(map.port('ns-tickle'), 40000);
  t.equal(map.port('ulm-tickle'), (CATALOG.find((f) => f.id === 'ulm-tickle')?.port ?? 0) + 1000);
});

t.test('bad values are config errors with exit code 2', async (t) => {
  const cases: [string, () => unknown, RegExp][] = [
    ['port above 65535', () => resolvePorts({ perFlow: { 'ns-tickle': 70000 } }), /70000 is not allowed; expected a port from 1 to 65535/],
    ['unknown flow', () => resolvePorts({ perFlow: { 'no-such-flow': 1 } }), /"no-such-flow" is not allowed/],
    ['offset past the top', () => resolvePorts({ offset: 20000 }), /expected an offset from 0 to 13505 \(ns-tickle is 52028/],
    ['offset past the top, tickle moved', () => resolvePorts({ offset: 20000, perFlow: { 'ns-tickle': 40000, 'ns-multicast': 40001 } }),
      /an offset from 0 to \d+ \(/],
    ['override of a fixed port', () => resolvePorts({ perFlow: { 'cp-snmp': 1161 } }), /not configurable/],
    ['outside the seed range', () => resolvePorts({ perFlow: { 'ns-tickle': 80 } }), /from 1024 to 65535/],
  ];
  for (const [name, fn, re] of cases) {
    try {
      fn();
      t.fail(`${name}: no error`);
    } catch (err) {
      t.ok(isSmpError(err, 'CONFIG'), `${name}: config error`);
      t.match((err as Error).message, re, name);
      t.equal((err as { exitCode: number }).exitCode, 2, `${name}: exit code 2`);
    }
  }
});

t.test('select filters by role and system', async (t) => {
  const map = resolvePorts();
  const agent = map.select({ roles: ['agent'] });
  t.ok(agent.every((f) => f.initiator === 'agent' || f.listener === 'agent'));
  t.ok(agent.some((f) => f.id === 'ns-tickle') && agent.some((f) => f.id === 'ts-agent-channel'));
  const ec = map.select({ systems: ['Event Console'] });
  t.same(ec.map((f) => f.id), ['ec-alert', 'ec-receiver-refresh', 'ec-engine-refresh']);
});
