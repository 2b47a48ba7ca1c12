// Software delivery as a user runs it: `smp-lab ns` with the lab CA and `smp-lab agents` over HTTPS
// (`--ca`), whose report shows GetPackageInfo, the snapshot and the download bytes the NS logged on
// its HTTPS port; and `--no-delivery`, a pure check-in run that fetches no package.
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadReport } from '../../../agent/load/report.js';
import { parseW3cLog } from '../../../shared/protocol/w3c-log.js';
import { runSmpLab, startSmpLab } from '../../helpers/cli.js';
import { freePorts } from '../../helpers/free-port.js';

const dir = mkdtempSync(join(tmpdir(), 'smp-delivery-cli-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('smp-lab agents over HTTPS with the lab CA delivers the package; --no-delivery does not', async (t) => {
  const [httpPort, httpsPort] = await freePorts(2);
  const ns = startSmpLab(['ns', '--port', `ns-agent-http=${httpPort}`, '--port', `ns-agent-https=${httpsPort}`, '--data', join(dir, 'ns'),
    '--certs', join(dir, 'certs'), '--store', 'memory', '--package-size', '100000', '--log-level', 'warn']);
  t.teardown(() => { if (ns.child.exitCode === null && ns.child.signalCode === null) ns.child.kill('SIGKILL'); });
  await ns.line(/ns ready/, 30_000);
  // Two disjoint shards of one fleet (agents 0-7 deliver, 8-15 only check in), at the same time.
  const run = (name: string, shard: string, extra: string[]) => runSmpLab(['agents', '--ns', `https://127.0.0.1:${httpsPort}`,
    '--ca', join(dir, 'certs', 'ca.pem'), '--count', '16', '--seed', 'swd-cli', '--shard', shard, '--duration', '4s', '--ramp', '200ms',
    '--no-listen', '--progress', 'none', '--state-dir', join(dir, `state-${name}`), '--key-pool', '2', '--report-dir', join(dir, name),
    '--max-error-rate', '0', '--log-level', 'silent', ...extra], { timeoutMs: 30_000 });
  const [on, off] = await Promise.all([run('swd', '0/2', []), run('nodl', '1/2', ['--no-delivery'])]);
  t.equal(on.code, 0, on.stderr);
  t.equal(off.code, 0, off.stderr);
  const report = (name: string) => JSON.parse(readFileSync(join(dir, name, `shard-${name === 'swd' ? 0 : 1}-of-2.json`), 'utf8')) as LoadReport;
  const ep = (r: LoadReport, name: string) => r.endpoints.find((e) => e.endpoint === name);
  const r = report('swd');
  t.equal(ep(r, 'get-package-info')?.ok, 8);
  t.equal(ep(r, 'get-package-snapshot')?.ok, 8);
  t.equal(ep(r, 'package-download')?.ok, 24, 'three files for each of 8 agents');
  t.ok(ep(r, 'package-download')!.bytes > 8 * 100_000, 'download bytes in the report');
  t.ok(ep(r, 'package-download')!.latencyMs!.p99 > 0);
  const html = readFileSync(join(dir, 'swd', 'shard-0-of-2.html'), 'utf8');
  t.match(html, /package download/);
  const plain = report('nodl');
  t.equal(ep(plain, 'get-package-info'), undefined, '--no-delivery: no GetPackageInfo');
  t.equal(ep(plain, 'package-download'), undefined, '--no-delivery: no download');
  t.ok(ep(plain, 'get-client-policies')!.ok >= 8);

  const logDir = join(dir, 'ns', 'logs', 'W3SVC1');
  const lines = readdirSync(logDir).flatMap((f) => parseW3cLog(readFileSync(join(logDir, f), 'utf8')).records)
    .filter((l) => l['cs-uri-stem']!.startsWith('/Altiris/PS/Share/'));
  t.equal(lines.length, 24, 'the NS logged 24 package file downloads');
  t.ok(lines.every((l) => l['s-port'] === String(httpsPort)), 'all over HTTPS');
  t.same(new Set(lines.map((l) => l['c-ip'])), new Set(Array.from({ length: 8 }, (_, i) => `127.1.0.${i + 1}`)), 'from the delivering shard only');
  t.equal(await ns.stop('SIGTERM'), 0);
});
