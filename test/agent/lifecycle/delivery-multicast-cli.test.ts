// Package multicast as a user runs it: `smp-lab agents` (package multicast on by default, its one
// socket per worker process on the `ns-package-multicast` port given with --port) against a real NS:
// the merged report and /metrics show packages received from the group; `--no-package-multicast`
// downloads over HTTP only.
import t from 'tap';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadReport } from '../../../agent/load/report.js';
import { startSmpLab } from '../../helpers/cli.js';
import { freePorts } from '../../helpers/free-port.js';
import { startTestNs } from '../../helpers/ns.js';
import { waitUntil } from '../../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'smp-pkgmc-cli-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const freeUdp = (): Promise<number> => new Promise<number>((resolve) => {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const series = (text: string, re: RegExp): number => Number(re.exec(text)?.[1] ?? -1);

t.test('smp-lab agents shares the package by multicast; --no-package-multicast does not', async (t) => {
  const ns = await startTestNs({ store: 'memory', packages: { labPackages: { count: 1, payloadSize: 300_000 } } });
  t.teardown(() => ns.close());
  const run = async (name: string, seed: string, extra: string[]) => {
    const [tickle, wake] = await freePorts(2);
    const mcPort = await freeUdp();
    const cli = startSmpLab(['agents', '--ns', ns.http, '--count', '20', '--seed', seed, '--ramp', '0', '--metrics-port', '0',
      '--port', `ns-tickle=${tickle}`, '--port', `ns-multicast=${wake}`, '--port', `ns-package-multicast=${mcPort}`,
      '--progress', 'none', '--state-dir', join(dir, 'state'), '--key-pool', '2', '--report-dir', join(dir, name), '--log-level', 'silent', ...extra]);
    t.teardown(() => cli.stop('SIGKILL'));
    const ready = (await cli.line(/agents ready: .*\n/, 20_000))[0];
    const url = /metrics (http:\/\/\S+\/metrics)/.exec(ready)![1]!;
    const text = await waitUntil(async () => {
      const m = await (await fetch(url)).text();
      const done = series(m, /smp_agent_requests_total\{endpoint="post-event",outcome="ok"\} (\d+)/);
      return done >= 20 * 3 ? m : null; // basic inventory, started and complete per agent
    }, `${name}: every agent posted its complete status event`, 30_000, 200);
    t.equal(await cli.stop('SIGINT'), 0);
    return { ready, text, report: JSON.parse(readFileSync(join(dir, name, 'report.json'), 'utf8')) as LoadReport };
  };
  // Two worker processes, each with its own socket on the one port: the package crosses processes.
  const [on, off] = await Promise.all([run('on', 'pkgmc-cli-on', ['--workers', '2']), run('off', 'pkgmc-cli-off', ['--no-package-multicast'])]);
  t.match(on.ready, /2 worker processes/);
  t.match(off.ready, /package multicast udp off/);
  const ep = (r: LoadReport, name: string) => r.endpoints.find((e) => e.endpoint === name);
  const got = ep(on.report, 'package-multicast');
  t.ok(got && got.ok >= 15, `most agents received the package from the group (${got?.ok})`);
  t.ok(got!.bytes >= 15 * 300_000, 'with its bytes in the report');
  t.ok(ep(on.report, 'package-download')!.ok <= 3 + (19 - got!.ok) * 3, 'few HTTP file downloads');
  t.ok(series(on.text, /smp_agent_packages_delivered_total\{via="multicast"\} (\d+)/) >= 15);
  t.equal(series(on.text, /smp_agent_package_multicast_masters_total (\d+)/) >= 1, true, 'a master was elected');
  t.equal(ep(off.report, 'package-multicast'), undefined, '--no-package-multicast: nothing from the group');
  t.equal(ep(off.report, 'package-download')!.ok, 60, '--no-package-multicast: three files for each of 20 agents');
});
