import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { DEFAULT_LIMITS } from '../../../server/ns/options.js';
import { startTestNs, send, sendAdmin } from '../../helpers/ns.js';

t.test('the NS serves the same routes on HTTP and HTTPS, paths in any case', async (t) => {
  const lab = await startTestNs();
  t.teardown(() => lab.close());
  for (const base of [lab.http, lab.https]) {
    const ok = await sendAdmin(base, '/altiris/CONSOLE/Api/resources?limit=5');
    t.equal(ok.status, 200, `${base} list resources`);
    t.same(JSON.parse(ok.text), { total: 0, resources: [] });
    const missing = await send(base, '/Altiris/NS/Agent/NoSuchPage.aspx');
    t.equal(missing.status, 404);
    t.match(missing.text, /<error code="SMP_ERR_NOT_FOUND" status="404">no page \/Altiris\/NS\/Agent\/NoSuchPage.aspx/);
    const badGuid = await sendAdmin(base, '/Altiris/Console/api/resources/not-a-guid');
    t.equal(badGuid.status, 400);
    t.equal(JSON.parse(badGuid.text).error.code, 'SMP_ERR_BAD_GUID');
  }
});

t.test('HTTPS offers TLS 1.2 and 1.3 and resumes sessions', async (t) => {
  const lab = await startTestNs();
  t.teardown(() => lab.close());
  const port = Number(new URL(lab.https).port);
  const handshake = (opts: { minVersion?: 'TLSv1.2' | 'TLSv1.3'; maxVersion?: 'TLSv1.2' | 'TLSv1.3'; session?: Buffer }) =>
    new Promise<{ protocol: string | null; reused: boolean; session: Buffer | undefined }>((resolve, reject) => {
      let session: Buffer | undefined;
      const s = connect({ host: '127.0.0.1', port, ca: lab.cert.cert, servername: 'localhost', ...opts }, () => {
        s.write('GET /Altiris/Console/api/resources HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      });
      s.on('session', (b: Buffer) => (session = b));
      s.on('data', () => undefined);
      s.on('end', () => resolve({ protocol: s.getProtocol(), reused: s.isSessionReused(), session }));
      s.on('error', reject);
    });
  for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
    const first = await handshake({ minVersion: v, maxVersion: v });
    t.equal(first.protocol, v);
    t.ok(first.session, `${v} session ticket received`);
    const again = await handshake({ minVersion: v, maxVersion: v, session: first.session! });
    t.ok(again.reused, `${v} session resumed`);
  }
});

const noSs = spawnSync('ss', ['-V']).status !== 0 ? 'needs ss (iproute2)' : false;
t.test('both listeners queue --listen-backlog connections (the kernel shows it as the listen socket\'s Send-Q)', { skip: noSs }, async (t) => {
  const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
  const want = Math.min(1234, somaxconn);
  const lab = await startTestNs({ limits: { ...DEFAULT_LIMITS, listenBacklog: 1234 } });
  t.teardown(() => lab.close());
  for (const base of [lab.http, lab.https]) {
    const port = new URL(base).port;
    const line = spawnSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).stdout.trim();
    t.equal(Number(line.split(/\s+/)[2]), want, `${base}: ${line}`);
  }
  const dflt = await startTestNs();
  t.teardown(() => dflt.close());
  const line = spawnSync('ss', ['-Hltn', `sport = :${new URL(dflt.http).port}`], { encoding: 'utf8' }).stdout.trim();
  t.equal(Number(line.split(/\s+/)[2]), Math.min(4096, somaxconn), `default backlog, not node's 511: ${line}`);
});
