// `smp-lab up --bind`: 0.0.0.0 (what the image sets through SMP_LAB_BIND) answers on every local address,
// so a container's published ports reach the NS; the default answers on 127.0.0.1 only; an address the
// host does not have is one line and exit 2. The image's health check finds the NS `up` started.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePorts } from '../../shared/ports.js';
import { nsHealthy } from '../../tools/ns-health.js';
import { runSmpLab, startSmpLab } from '../helpers/cli.js';

const PING = '/Altiris/NS/Agent/ConnectionTest.asp';

/** `up` with no agents; any offset will do, `up` prints the one it took (another may be busy). */
function startUp(t: { teardown(fn: () => Promise<void>): void }, extra: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'smp-up-bind-'));
  const offset = 12_300 + (process.pid % 50) * 20;
  const up = startSmpLab(['up', '--agents', '0', '--port-offset', String(offset), '--data-dir', join(dir, 'ns'),
    '--cert-dir', join(dir, 'certs'), '--log-dir', join(dir, 'logs'), '--report-dir', join(dir, 'reports'), ...extra], { env });
  t.teardown(async () => {
    await up.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return up;
}

const fetchPing = (host: string, port: number) =>
  fetch(`http://${host}:${port}${PING}`, { signal: AbortSignal.timeout(5000) }).then(async (r) => r.text(), (e: Error) => e);

t.test('SMP_LAB_BIND=0.0.0.0 (the image): the NS answers on every local address, and the health check finds it', async (t) => {
  const up = startUp(t, [], { SMP_LAB_BIND: '0.0.0.0' });
  const [, offset] = await up.line(/smp-lab up: port offset (\d+)/, 60_000);
  await up.line(/listening on\s+0\.0\.0\.0 \(every address/);
  const port = resolvePorts({ offset: Number(offset) }).port('ns-agent-http');
  t.equal(await fetchPing('127.0.0.2', port), 'OK', 'an address other than 127.0.0.1 reaches the NS');
  t.equal(await nsHealthy('0.0.0.0', offset), `http://127.0.0.1:${port}${PING}`);
  t.equal(await up.stop('SIGINT', 20_000), 0, up.output().stderr);
});

t.test('without --bind the NS listens on 127.0.0.1 only', async (t) => {
  const up = startUp(t, []);
  const [, offset] = await up.line(/smp-lab up: port offset (\d+)/, 60_000);
  await up.line(/listening on\s+127\.0\.0\.1/);
  const port = resolvePorts({ offset: Number(offset) }).port('ns-agent-http');
  t.equal(await fetchPing('127.0.0.1', port), 'OK');
  const other = await fetchPing('127.0.0.2', port);
  t.type(other, Error, '127.0.0.2 is not served');
  t.equal(await up.stop('SIGINT', 20_000), 0, up.output().stderr);
});

t.test('--bind with an address this host does not have: one line, exit 2', async (t) => {
  const r = await runSmpLab(['up', '--agents', '0', '--bind', '192.0.2.1', '--port-offset', '12000']);
  t.equal(r.code, 2);
  t.match(r.stderr, /--bind: "192\.0\.2\.1" is not allowed; expected an address of this host/);
  t.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});

t.test('the health check says unhealthy when no NS answers', async (t) => {
  t.equal(await nsHealthy('127.0.0.1', '12999'), null);
});
