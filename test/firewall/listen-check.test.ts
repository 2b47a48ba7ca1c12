// verify-rules' readiness check: the sockets a responder's plan needs, read back from the kernel's
// listen table (`ss`), and which are missing. Table tests, a fuzz test of the parser, and the parser
// against the real `ss` with real sockets.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo } from 'node:net';
import { expectedSockets, missingSockets, parseListenTable } from '../../firewall/lab/listen-check.js';
import { planResponders } from '../../firewall/respond/plan.js';
import { resolvePorts } from '../../shared/ports.js';

const map = resolvePorts();

t.test('every listener of the plan is expected, multicast on the wildcard address', async (t) => {
  const plan = planResponders(map, ['agent', 'device'], '10.250.2.2');
  const expected = expectedSockets(map, ['agent', 'device'], '10.250.2.2');
  t.equal(expected.length, plan.listeners.length, 'one socket per planned listener');
  t.match(expected.find((e) => e.port === map.port('ulm-ssh-push')), { netid: 'tcp', address: '10.250.2.2', label: /^tcp 10\.250\.2\.2:22 ssh$/ });
  t.match(expected.find((e) => e.port === map.port('ns-multicast')), { netid: 'udp', address: '0.0.0.0', label: /^udp-multicast 0\.0\.0\.0:\d+ smp-wake \(group / });
  t.match(expected.find((e) => e.port === map.port('cp-snmp')), { netid: 'udp', address: '10.250.2.2' });
  const moved = expectedSockets(resolvePorts({ offset: 7, perFlow: { 'ulm-ssh-push': 2222 } }), ['agent'], '10.250.2.2');
  t.ok(moved.some((e) => e.port === 2222) && moved.some((e) => e.port === map.port('ns-tickle') + 7), 'ports follow the offset and overrides');
});

t.test('the listen table: IPv4, IPv6, wildcards, interface suffixes; unreadable lines skipped', async (t) => {
  const table = parseListenTable([
    'tcp   LISTEN 0      511       10.250.2.2:22        0.0.0.0:*',
    'udp   UNCONN 0      0            0.0.0.0:52029      0.0.0.0:*',
    'tcp   LISTEN 0      4096            [::]:8080          [::]:*',
    'tcp   LISTEN 0      128                *:9090             *:*',
    'udp   UNCONN 0      0     10.250.2.2%eth0:161       0.0.0.0:*',
    'garbage', '', 'tcp LISTEN 0 1 nocolon x', 'tcp LISTEN 0 1 1.2.3.4:99999 x',
  ].join('\n'));
  t.same(table, [
    { netid: 'tcp', address: '10.250.2.2', port: 22 },
    { netid: 'udp', address: '0.0.0.0', port: 52029 },
    { netid: 'tcp', address: '::', port: 8080 },
    { netid: 'tcp', address: '*', port: 9090 },
    { netid: 'udp', address: '10.250.2.2', port: 161 },
  ]);
});

t.test('missing: an exact or wildcard socket of the same transport and port holds it, nothing else does', async (t) => {
  const ssh = { netid: 'tcp', address: '10.250.2.2', port: 22, label: 'tcp 10.250.2.2:22 ssh' } as const;
  const cases: [string, { netid: string; address: string; port: number }[], number][] = [
    ['bound on the address', [{ netid: 'tcp', address: '10.250.2.2', port: 22 }], 0],
    ['bound on 0.0.0.0', [{ netid: 'tcp', address: '0.0.0.0', port: 22 }], 0],
    ['bound on * (dual stack)', [{ netid: 'tcp', address: '*', port: 22 }], 0],
    ['nothing listens', [], 1],
    ['only UDP on that port', [{ netid: 'udp', address: '10.250.2.2', port: 22 }], 1],
    ['another port', [{ netid: 'tcp', address: '10.250.2.2', port: 445 }], 1],
    ['another address', [{ netid: 'tcp', address: '127.0.0.1', port: 22 }], 1],
  ];
  for (const [name, table, n] of cases) t.equal(missingSockets([ssh], table).length, n, name);
});

t.test('fuzz: random and mutated tables give entries or nothing, never a crash', async (t) => {
  const sample = Buffer.from('tcp LISTEN 0 511 10.250.2.2:22 0.0.0.0:*\nudp UNCONN 0 0 [::1]:161 [::]:*\n');
  let bad = 0;
  for (let i = 0; i < 2000; i++) {
    const buf = i % 2 === 0 ? randomBytes(1 + (i % 300)) : Buffer.from(sample);
    if (i % 2 === 1) for (let k = 0; k < 1 + (i % 5); k++) buf[(i * 7 + k * 13) % buf.length] = (i * 31 + k) & 0xff;
    for (const e of parseListenTable(buf.toString('latin1'))) if (!(Number.isInteger(e.port) && e.port >= 0 && e.port <= 65535)) bad += 1;
  }
  t.equal(bad, 0, 'every entry has a port from 0 to 65535');
  const huge = `${'tcp LISTEN 0 1 1.2.3.4:80 x\n'.repeat(100_000)}`;
  t.ok(parseListenTable(huge).length < 100_000, 'a huge table is read only up to its bound');
});

const haveSs = spawnSync('sh', ['-c', 'command -v ss']).status === 0;
t.test('the parser reads the real `ss` table: sockets bound here are found, a closed one is not', { skip: haveSs ? false : 'needs ss (iproute2)' }, async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const udp = createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  t.teardown(() => {
    server.close();
    udp.close();
  });
  const sock = (netid: 'tcp' | 'udp', port: number) => ({ netid, address: '127.0.0.1', port, label: `${netid} ${port}` });
  const out = spawnSync('ss', ['-Hlntu'], { encoding: 'utf8' }).stdout;
  const missing = missingSockets([sock('tcp', (server.address() as AddressInfo).port), sock('udp', udp.address().port), sock('tcp', closedPort)],
    parseListenTable(out));
  t.same(missing.map((m) => m.port), [closedPort], 'only the closed listener is missing');
});
