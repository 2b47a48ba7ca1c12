// 50121/50122 stay on loopback whatever --bind says: `smp-lab ts --bind 10.231.x.1` runs in a
// network namespace joined by a veth pair to a second namespace; from there (and with nmap too)
// 50124 is open but 50121/50122 refuse, while inside the TS namespace loopback reaches them.
import t from 'tap';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { CLI } from '../../helpers/cli.js';
import { unlessHave } from '../../helpers/tools.js';
import { waitUntil } from '../../helpers/wait.js';

const isRoot = process.getuid?.() === 0;
const hasIp = spawnSync('ip', ['-V']).status === 0;

const probeScript = `
const net = require('node:net');
const [host, ...ports] = process.argv.slice(1);
Promise.all(ports.map((p) => new Promise((r) => {
  const s = net.connect({ host, port: Number(p), timeout: 3000 });
  s.once('connect', () => { s.destroy(); r([p, 'open']); });
  s.once('error', (e) => r([p, e.code]));
  s.once('timeout', () => { s.destroy(); r([p, 'timeout']); });
}))).then((res) => console.log(JSON.stringify(Object.fromEntries(res))));
`;

t.test('50121/50122 refuse a non-loopback client', { skip: !isRoot || !hasIp ? 'needs root and iproute2' : false }, async (t) => {
  const id = `${process.pid % 10000}`;
  const [nsA, nsB, vA, vB] = [`smpts-a${id}`, `smpts-b${id}`, `vtsa${id}`, `vtsb${id}`];
  const net3 = 100 + (process.pid % 150);
  const [ipA, ipB] = [`10.231.${net3}.1`, `10.231.${net3}.2`];
  const sh = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });
  t.teardown(() => {
    spawnSync('ip', ['netns', 'del', nsA]);
    spawnSync('ip', ['netns', 'del', nsB]);
  });
  sh('netns', 'add', nsA);
  sh('netns', 'add', nsB);
  sh('link', 'add', vA, 'netns', nsA, 'type', 'veth', 'peer', 'name', vB, 'netns', nsB);
  for (const [ns, dev, ip] of [[nsA, vA, ipA], [nsB, vB, ipB]] as const) {
    sh('-n', ns, 'addr', 'add', `${ip}/24`, 'dev', dev);
    sh('-n', ns, 'link', 'set', dev, 'up');
    sh('-n', ns, 'link', 'set', 'lo', 'up');
  }

  const ts = spawn('ip', ['netns', 'exec', nsA, process.execPath, CLI, 'ts', '--ns', 'http://127.0.0.1:9', '--bind', ipA,
    '--port-offset', '10000', '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  ts.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  t.teardown(() => new Promise<void>((resolve) => {
    if (ts.exitCode !== null) return resolve();
    ts.once('exit', () => resolve());
    ts.kill('SIGINT');
    setTimeout(() => ts.kill('SIGKILL'), 5000).unref();
  }));
  const ready = await waitUntil(() => /ts ready: .*channel=(\S+):(\d+) remoting=127\.0\.0\.1:(\d+),127\.0\.0\.1:(\d+)/.exec(out), 'the ts ready line', 15_000);
  const [, chHost, chPort, r1, r2] = ready;
  t.equal(chHost, ipA, '50124 follows --bind');

  const probe = (ns: string, host: string, ports: string[]): Record<string, string> => JSON.parse(execFileSync('ip',
    ['netns', 'exec', ns, process.execPath, '-e', probeScript, host, ...ports], { encoding: 'utf8' })) as Record<string, string>;
  const fromB = probe(nsB, ipA, [chPort!, r1!, r2!]);
  t.equal(fromB[chPort!], 'open', 'the other namespace reaches 50124 (the path works)');
  t.equal(fromB[r1!], 'ECONNREFUSED', '50121 refuses a non-loopback client');
  t.equal(fromB[r2!], 'ECONNREFUSED', '50122 refuses a non-loopback client');
  const inA = probe(nsA, ipA, [r1!, r2!]);
  t.same(Object.values(inA), ['ECONNREFUSED', 'ECONNREFUSED'], 'not even on the TS host\'s own public address');
  const loop = probe(nsA, '127.0.0.1', [r1!, r2!]);
  t.same(Object.values(loop), ['open', 'open'], 'loopback on the TS host reaches both');

  await t.test('nmap sees 50124 open, 50121/50122 closed', { skip: unlessHave('nmap') }, async (t) => {
    const scan = execFileSync('ip', ['netns', 'exec', nsB, 'nmap', '-Pn', '-n', '-p', `${chPort},${r1},${r2}`, '-oG', '-', ipA], { encoding: 'utf8' });
    t.match(scan, new RegExp(`${chPort}/open/tcp`), 'nmap: 50124 open');
    t.match(scan, new RegExp(`${r1}/closed/tcp`), 'nmap: 50121 closed');
    t.match(scan, new RegExp(`${r2}/closed/tcp`), 'nmap: 50122 closed');
  });
});
