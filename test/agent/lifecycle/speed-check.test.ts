// The speed check: a real TCP connect is timed, a closed port is refused; the ranking puts the fastest
// host first, keeps the NS's order for equal speeds (a host's ports share its speed) and leaves out
// codebases whose port did not answer or that the simulator cannot use (UNC).
import t from 'tap';
import { createServer } from 'node:net';
import { connectTime, downloadTargets, probeTargets, rankTargets, type ProbeResult } from '../../../agent/lifecycle/speed-check.js';
import type { Codebase } from '../../../shared/protocol/package-info.js';
import { freePorts } from '../../helpers/free-port.js';

const cb = (url: string, server: string, type: Codebase['type'] = url.startsWith('https') ? 'HTTPS' : 'HTTP'): Codebase => ({ url, type, server });

t.test('connect time to a listener; a closed port is refused', async (t) => {
  const srv = createServer((s) => s.destroy());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => srv.close());
  const port = (srv.address() as { port: number }).port;
  const ok = await connectTime('127.0.0.1', port, '127.1.0.7', 2000);
  t.equal(ok.outcome, 'ok');
  t.ok(ok.ms !== null && ok.ms >= 0 && ok.ms < 2000);
  const [closed] = await freePorts(1);
  t.same(await connectTime('127.0.0.1', closed!, undefined, 2000), { ms: null, outcome: 'refused' });
  const seen: ProbeResult[] = [];
  const targets = downloadTargets([cb(`http://127.0.0.1:${port}/a/`, 'a'), cb(`http://127.0.0.1:${port}/b/`, 'b'), cb(`http://127.0.0.1:${closed}/c/`, 'c')]);
  const probes = await probeTargets(targets, undefined, 2000, (r) => seen.push(r));
  t.equal(seen.length, 2, 'one probe per distinct host:port');
  t.same(rankTargets(targets, probes).map((x) => x.codebase.server), ['a', 'b']);
});

t.test('ranking: fastest host first, equal speeds in the NS order, unreachable and UNC left out', async (t) => {
  const targets = downloadTargets([
    cb('http://10.0.0.1:80/p/', 'slow-http'), cb('https://10.0.0.1:443/p/', 'slow-https'),
    cb('\\\\ps\\share\\p', 'unc', 'UNC'), cb('not a url', 'broken'),
    cb('http://10.0.0.2:80/p/', 'fast'), cb('http://10.0.0.3:80/p/', 'dead'), cb('https://10.0.0.2:8443/p/', 'fast-https-port'),
    cb('http://[::1]:80/p/', 'v6'),
  ]);
  t.equal(targets.length, 6, 'UNC and unparseable codebases are not download targets');
  const probes = new Map<string, ProbeResult>([
    ['10.0.0.1|80', { ms: 12.4, outcome: 'ok' }], ['10.0.0.1|443', { ms: 30, outcome: 'ok' }],
    ['10.0.0.2|80', { ms: 3.9, outcome: 'ok' }], ['10.0.0.2|8443', { ms: 3.2, outcome: 'ok' }],
    ['10.0.0.3|80', { ms: null, outcome: 'refused' }], ['::1|80', { ms: 3.99, outcome: 'ok' }],
  ]);
  t.same(rankTargets(targets, probes).map((x) => x.codebase.server), ['fast', 'fast-https-port', 'v6', 'slow-http', 'slow-https']);
});
