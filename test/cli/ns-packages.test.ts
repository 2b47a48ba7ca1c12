// `smp-lab ns` with the package/installer flags, driven as a user would: the CLI in a child
// process, curl for the downloads, the access log read back from the data folder.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parsePackageServer } from '../../cli/verbs/ns-package-options.js';
import { decodePackageInfo, packageInfoUrlPath } from '../../shared/protocol/package-info.js';
import { parseW3cLog } from '../../shared/protocol/w3c-log.js';
import { startSmpLab, runSmpLab } from '../helpers/cli.js';
import { freePorts } from '../helpers/free-port.js';
import { waitUntil } from '../helpers/wait.js';

const run = promisify(execFile);

t.test('--package-server values parse or name what is wrong', async (t) => {
  t.same(parsePackageServer('ps1@10.20.0.0/16'), { name: 'ps1', subnets: ['10.20.0.0/16'] });
  t.same(parsePackageServer('ps2=ps2.lab.local@10.0.0.0/8+fd00::/64'), { name: 'ps2', host: 'ps2.lab.local', subnets: ['10.0.0.0/8', 'fd00::/64'] });
  t.throws(() => parsePackageServer('no-subnet'), { code: 'SMP_ERR_CONFIG' });
  const bad = await runSmpLab(['ns', '--package-server', 'ps1@10.0.0.0/99', '--no-https', '--port', 'ns-agent-http=1', '--data', join(tmpdir(), 'smp-never')]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /package server subnet: "10.0.0.0\/99" is not allowed/);
});

t.test('smp-lab ns serves installers and packages with the sizes asked for, and logs W3C lines', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smp-ns-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [httpPort] = await freePorts(1);
  const ns = startSmpLab(['ns', '--port', `ns-agent-http=${httpPort}`, '--no-https', '--data', dir, '--log-level', 'warn',
    '--installer-size', '123457', '--bootstrap-size', '54321', '--lab-packages', '2', '--package-size', '77777',
    '--package-server', 'branch=localhost@10.20.0.0/16', '--download-limit', '5']);
  t.teardown(() => { if (ns.child.exitCode === null) ns.child.kill('SIGKILL'); });
  await ns.line(/ns ready http=127\.0\.0\.1:\d+/);
  const base = `http://127.0.0.1:${httpPort}`;
  const size = async (path: string) => (await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{size_download}', base + path])).stdout;
  t.equal(await size('/Altiris/NS/NSCap/Bin/Win32/X86/NS%20Client%20Package/AeXNSC.exe'), '123457');
  t.equal(await size('/Altiris/NS/NSCap/Bin/Unix/AgentInstall/Linux/x64/aex-bootstrap-linux'), '54321');
  const info = (over: { addresses: string[]; totalTime: number }) => run('curl', ['-sS', base + packageInfoUrlPath({ resource: '8B031AC8-AB06-4460-998C-94837C9C4AE8',
    version: '1', type: 'codebases', compress: false, packages: ['ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84'], ...over })]);
  const [pkg] = decodePackageInfo((await info({ addresses: ['10.20.1.1'], totalTime: 0 })).stdout);
  t.equal(pkg!.codebases[0]!.server, 'branch');
  t.match(pkg!.codebases[0]!.url, /^http:\/\/localhost:\d+\/Altiris\/PS\/Share\//);
  t.ok(pkg!.size > 77777);
  const [late] = decodePackageInfo((await info({ addresses: ['10.20.1.1'], totalTime: 6 })).stdout);
  t.same([...new Set(late!.codebases.map((c) => c.server))], ['ns'], '--download-limit honoured');
  t.equal(await ns.stop('SIGINT'), 0);
  const logDir = join(dir, 'logs', 'W3SVC1');
  const recs = await waitUntil(() => readdirSync(logDir).flatMap((f) => parseW3cLog(readFileSync(join(logDir, f), 'utf8')).records), 'log lines');
  t.equal(recs.length, 4, 'one line a request');
  t.same(recs.map((r) => r['sc-status']), ['200', '200', '200', '200']);
  t.match(recs[0]!['cs(User-Agent)'], /^curl\//);
});
