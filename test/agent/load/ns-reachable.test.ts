// Before a fleet starts it checks that the NS accepts connections: a fleet pod scheduled before its NS
// waits for it (--ns-wait), and an NS that cannot be reached is one line naming the URL and the fix
// (exit 2) instead of a run that only counts errors until --duration.
import { createServer, type Server } from 'node:net';
import t from 'tap';
import { endpointOf, waitForNs } from '../../../agent/load/ns-reachable.js';
import { isSmpError } from '../../../shared/errors.js';
import { runSmpLab } from '../../helpers/cli.js';
import { freePorts } from '../../helpers/free-port.js';

const listen = (server: Server, port: number): Promise<void> =>
  new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve()));

t.test('the endpoint of an NS URL, default ports included', async (t) => {
  t.same(endpointOf('http://ns.example.com'), { host: 'ns.example.com', port: 80 });
  t.same(endpointOf('https://ns.example.com'), { host: 'ns.example.com', port: 443 });
  t.same(endpointOf('http://[::1]:8080/Altiris'), { host: '::1', port: 8080 });
});

t.test('an NS that listens is reached at once', async (t) => {
  const server = createServer((s) => s.destroy());
  await listen(server, 0);
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;
  await t.resolves(waitForNs(`http://127.0.0.1:${port}`, { waitMs: 0 }));
});

t.test('an NS that comes up while the fleet waits is reached', async (t) => {
  const [port] = await freePorts(1);
  const server = createServer((s) => s.destroy());
  t.teardown(() => new Promise<void>((r) => (server.listening ? server.close(() => r()) : r())));
  let refused = '';
  // The first attempt is refused; the NS starts listening then, and the next attempt connects.
  await waitForNs(`http://127.0.0.1:${port}`, { waitMs: 20_000, onRetry: (code) => { refused = code; void listen(server, port!); } });
  t.equal(refused, 'ECONNREFUSED');
  t.ok(server.listening);
});

t.test('an NS that cannot be reached: one line with the URL, the reason and the fix', async (t) => {
  const [port] = await freePorts(1);
  const err = await waitForNs(`http://127.0.0.1:${port}`, { waitMs: 0 }).then(() => null, (e: unknown) => e);
  t.ok(isSmpError(err, 'ENVIRONMENT'));
  t.match((err as Error).message, new RegExp(`^cannot reach the NS at http://127.0.0.1:${port}: ECONNREFUSED; check --ns`));
  t.notMatch((err as Error).message, /\n/);
  const waited = await waitForNs(`http://127.0.0.1:${port}`, { waitMs: 2500 }).then(() => null, (e: unknown) => e);
  t.match((waited as Error).message, /ECONNREFUSED \(\d+ attempts in 3 s\)/);
});

t.test('smp-lab agents against an unreachable NS: exit 2, one line, nothing started', async (t) => {
  const [port] = await freePorts(1);
  const dir = t.testdir();
  const common = ['--count', '5', '--no-listen', '--report-dir', dir, '--state-dir', dir];
  const refused = await runSmpLab(['agents', '--ns', `http://127.0.0.1:${port}`, ...common]);
  t.equal(refused.code, 2);
  t.equal(refused.stderr, `smp-lab agents: cannot reach the NS at http://127.0.0.1:${port}: ECONNREFUSED; check --ns `
    + '(host, port, http or https) and that the NS is up and reachable from here, or wait for it with --ns-wait TIME\n');
  t.equal(refused.stdout, '', 'no fleet started, no report written');
  const unknown = await runSmpLab(['agents', '--ns', 'http://smp-lab-ns.invalid', ...common]);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /^smp-lab agents: cannot reach the NS at http:\/\/smp-lab-ns\.invalid: (ENOTFOUND|EAI_AGAIN); check --ns/);
  t.equal(unknown.stderr.trim().split('\n').length, 1);
});
