// The NS HTTPS listener offers Mozilla's intermediate TLS 1.2 suites only (ECDHE + AEAD): openssl
// s_client completes a handshake with ECDHE-RSA-AES128-GCM-SHA256 and is refused static RSA and CBC
// suites; nmap's ssl-enum-ciphers (where installed) lists no CBC, static-RSA or SHA-1 MAC suite.
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestNs } from '../../helpers/ns.js';

const run = promisify(execFile);
const have = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** openssl runs as a child while the NS (in this process) serves: never spawnSync here. */
function handshake(port: number, cipher: string): Promise<{ ok: boolean; text: string }> {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-cipher', cipher, '-brief'],
      { timeout: 10000 }, (err, stdout, stderr) => {
        const text = `${stderr}${stdout}`;
        resolve({ ok: err === null && /Ciphersuite: /.test(text), text });
      });
    child.stdin?.end();
  });
}

t.test('TLS 1.2 suites of the NS', { skip: have('openssl') ? false : 'openssl is not installed (apt-get install openssl)' }, async (t) => {
  const lab = await startTestNs({ store: 'memory' });
  t.teardown(() => lab.close());
  const port = Number(new URL(lab.https).port);
  const good = await handshake(port, 'ECDHE-RSA-AES128-GCM-SHA256');
  t.ok(good.ok, `ECDHE + AES-GCM completes: ${good.text.slice(0, 300)}`);
  for (const weak of ['AES128-SHA', 'AES256-GCM-SHA384', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384']) {
    t.notOk((await handshake(port, weak)).ok, `${weak} is refused`);
  }
  t.test('nmap ssl-enum-ciphers', { skip: have('nmap') ? false : 'nmap is not installed (apt-get install nmap)' }, async (t) => {
    const { stdout } = await run('nmap', ['-Pn', '-n', '-p', String(port), '--script', 'ssl-enum-ciphers', '127.0.0.1'], { timeout: 90_000 });
    t.match(stdout, /TLSv1\.2:/);
    t.match(stdout, /TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256/);
    t.notMatch(stdout, /TLS_RSA_WITH|_CBC_|_SHA\s/, 'no static RSA, no CBC, no SHA-1 MAC');
  });
});
