// The lab PKI on disk: made, checked by the real openssl, reused untouched while valid, remade for
// the documented reasons (names, expiry, mismatched files, force) with the CA kept where it can be.
import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import t from 'tap';
import { ensureLabCertificates, makeLabCa, MANIFEST_FORMAT } from '../../certs/index.js';

const run = promisify(execFile);
const DAY = 86_400_000;

async function snapshot(path: string): Promise<string> {
  const s = await stat(path);
  return `${s.ino}:${s.mtimeMs}:${(await readFile(path)).toString('base64')}`;
}

t.test('first run makes a CA and a server certificate that openssl accepts', async (t) => {
  const dir = t.testdir();
  const lab = await ensureLabCertificates({ dir, names: ['localhost', 'ns.lab.example'], ips: ['127.0.0.1', '::1'] });
  t.equal(lab.report.ca.action, 'made');
  t.equal(lab.report.ca.reason, 'missing');
  t.equal(lab.report.server.action, 'made');

  const verify = await run('openssl', ['verify', '-CAfile', lab.paths.caCert, lab.paths.cert]);
  t.match(verify.stdout, /server\.pem: OK/);
  const purpose = await run('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', lab.paths.caCert, lab.paths.cert]);
  t.match(purpose.stdout, /OK/);

  const text = (await run('openssl', ['x509', '-in', lab.paths.cert, '-noout', '-text'])).stdout;
  t.match(text, /DNS:localhost/);
  t.match(text, /DNS:ns\.lab\.example/);
  t.match(text, /IP Address:127\.0\.0\.1/);
  t.match(text, /IP Address:0:0:0:0:0:0:0:1/);
  t.match(text, /TLS Web Server Authentication/);
  t.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
  t.match(text, /Public-Key: \(2048 bit\)/);
  t.match(text, /CA:FALSE/);

  const caText = (await run('openssl', ['x509', '-in', lab.paths.caCert, '-noout', '-text'])).stdout;
  t.match(caText, /CA:TRUE/);
  t.match(caText, /Certificate Sign, CRL Sign/);
  t.match(caText, /Subject Key Identifier/);
  t.match(caText, /Signature Algorithm: sha256WithRSAEncryption/);

  t.equal((await stat(lab.paths.caKey)).mode & 0o777, 0o600, 'CA key 0600');
  t.equal((await stat(lab.paths.key)).mode & 0o777, 0o600, 'server key 0600');
  t.equal((await stat(lab.paths.caCert)).mode & 0o777, 0o644, 'CA cert 0644');
  t.equal((await stat(lab.paths.cert)).mode & 0o777, 0o644, 'server cert 0644');
  t.equal(lab.certPem, await readFile(lab.paths.cert, 'utf8'));
  t.equal(lab.keyPem, await readFile(lab.paths.key, 'utf8'));

  const manifest = JSON.parse(await readFile(lab.paths.manifest, 'utf8')) as Record<string, Record<string, unknown>>;
  t.equal(manifest['format'], MANIFEST_FORMAT);
  t.same(manifest['server']?.['names'], ['localhost', 'ns.lab.example']);
  t.same(manifest['server']?.['ips'], ['127.0.0.1', '::1']);
  t.equal(manifest['server']?.['action'], 'made');
  t.equal(manifest['ca']?.['sha256'], lab.report.ca.sha256);
});

t.test('a new folder is made 0700; defaults are localhost, the host name, 127.0.0.1 and ::1', async (t) => {
  const dir = `${t.testdir()}/nested/certs`;
  const lab = await ensureLabCertificates({ dir, hostname: 'labhost' });
  t.equal((await stat(dir)).mode & 0o777, 0o700);
  t.same(lab.names, { dns: ['labhost', 'localhost'], ips: ['127.0.0.1', '::1'] });
  t.same(lab.warnings, []);
});

t.test('valid files are reused untouched; changed names remake only the server certificate', async (t) => {
  const dir = t.testdir();
  const first = await ensureLabCertificates({ dir, names: ['localhost'], ips: ['127.0.0.1'] });
  const files = [first.paths.caCert, first.paths.caKey, first.paths.cert, first.paths.key, first.paths.manifest];
  const before = await Promise.all(files.map(snapshot));

  const again = await ensureLabCertificates({ dir, names: ['LOCALHOST'], ips: ['127.0.0.1'] });
  t.equal(again.report.ca.action, 'reused');
  t.equal(again.report.server.action, 'reused');
  t.same(await Promise.all(files.map(snapshot)), before, 'no file rewritten');

  const renamed = await ensureLabCertificates({ dir, names: ['localhost', 'ts.lab'], ips: ['127.0.0.1'] });
  t.equal(renamed.report.ca.action, 'reused');
  t.equal(renamed.caCertPem, first.caCertPem, 'CA kept, so trust given to it survives');
  t.equal(renamed.report.server.action, 'made');
  t.match(renamed.report.server.reason, /^names changed/);
  t.not(renamed.certPem, first.certPem);
  const text = (await run('openssl', ['x509', '-in', renamed.paths.cert, '-noout', '-ext', 'subjectAltName'])).stdout;
  t.match(text, /DNS:ts\.lab/);
  await run('openssl', ['verify', '-CAfile', renamed.paths.caCert, renamed.paths.cert]);

  const ipChange = await ensureLabCertificates({ dir, names: ['localhost', 'ts.lab'], ips: ['127.0.0.1', '::1'] });
  t.equal(ipChange.report.server.action, 'made');
});

t.test('expired or nearly expired certificates are remade', async (t) => {
  const dir = t.testdir();
  const past = new Date(Date.now() - 30 * DAY);
  const old = await ensureLabCertificates({ dir, names: ['localhost'], days: 2, now: past });
  const expired = await run('openssl', ['verify', '-CAfile', old.paths.caCert, old.paths.cert]).then(() => 'ok', (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`);
  t.match(expired, /expired/, 'openssl sees the test certificate as expired');

  const renewed = await ensureLabCertificates({ dir, names: ['localhost'] });
  t.equal(renewed.report.ca.action, 'reused');
  t.equal(renewed.report.server.action, 'made');
  t.match(renewed.report.server.reason, /^expired on/);
  await run('openssl', ['verify', '-CAfile', renewed.paths.caCert, renewed.paths.cert]);

  const soon = await ensureLabCertificates({ dir, names: ['localhost'], days: 3, force: true });
  t.equal(soon.report.server.reason, 'forced (--force)');
  const nearly = await ensureLabCertificates({ dir, names: ['localhost'] });
  t.match(nearly.report.server.reason, /^expires in 3\.0 days/);

  const caDir = t.testdir();
  await ensureLabCertificates({ dir: caDir, names: ['localhost'], caDays: 1, days: 1, now: past });
  const both = await ensureLabCertificates({ dir: caDir, names: ['localhost'] });
  t.equal(both.report.ca.action, 'made');
  t.match(both.report.ca.reason, /^expired on/);
  t.equal(both.report.server.action, 'made');
});

t.test('files that do not belong together are remade', async (t) => {
  const dir = t.testdir();
  const lab = await ensureLabCertificates({ dir, names: ['localhost'] });

  // A server key that is not the certificate's key.
  await writeFile(lab.paths.key, lab.ca.keyPem, { mode: 0o600 });
  const swapped = await ensureLabCertificates({ dir, names: ['localhost'] });
  t.equal(swapped.report.server.reason, 'key does not match the certificate');
  t.equal(swapped.report.ca.action, 'reused');

  // Another (valid) CA in place of ours: the server certificate is no longer signed by it.
  const other = await makeLabCa({ days: 30 });
  await writeFile(lab.paths.caCert, other.certPem);
  await writeFile(lab.paths.caKey, other.keyPem, { mode: 0o600 });
  const foreign = await ensureLabCertificates({ dir, names: ['localhost'] });
  t.equal(foreign.report.ca.action, 'reused');
  t.equal(foreign.report.server.reason, 'not signed by the current lab CA');
  await run('openssl', ['verify', '-CAfile', foreign.paths.caCert, foreign.paths.cert]);

  // A CA key that does not match the CA certificate, and an unreadable certificate.
  await writeFile(lab.paths.caKey, foreign.keyPem, { mode: 0o600 });
  const badCa = await ensureLabCertificates({ dir, names: ['localhost'] });
  t.equal(badCa.report.ca.reason, 'key does not match the certificate');
  t.equal(badCa.report.server.reason, 'the lab CA was remade');
  await writeFile(lab.paths.cert, 'not a certificate');
  const garbage = await ensureLabCertificates({ dir, names: ['localhost'] });
  t.equal(garbage.report.server.reason, 'certificate unreadable');

  const forced = await ensureLabCertificates({ dir, names: ['localhost'], forceCa: true });
  t.equal(forced.report.ca.reason, 'forced (--force-ca)');
  t.not(forced.caCertPem, garbage.caCertPem);
  await run('openssl', ['verify', '-CAfile', forced.paths.caCert, forced.paths.cert]);
});

t.test('two processes starting at once share one CA', async (t) => {
  const dir = t.testdir();
  const [a, b] = await Promise.all([
    ensureLabCertificates({ dir, names: ['localhost'] }),
    ensureLabCertificates({ dir, names: ['localhost'] }),
  ]);
  t.equal(a.caCertPem, b.caCertPem);
  t.equal(a.certPem, b.certPem);
  t.same([a.report.server.action, b.report.server.action].sort(), ['made', 'reused']);
});

t.test('bad names and addresses are configuration errors', async (t) => {
  const dir = t.testdir();
  await t.rejects(ensureLabCertificates({ dir, names: ['bad_name'] }), { code: 'SMP_ERR_CONFIG', exitCode: 2, message: /--name: "bad_name"/ });
  await t.rejects(ensureLabCertificates({ dir, ips: ['300.1.1.1'] }), { code: 'SMP_ERR_CONFIG', message: /--ip: "300\.1\.1\.1"/ });
  await t.rejects(ensureLabCertificates({ dir, names: [], ips: [] }), { code: 'SMP_ERR_CONFIG' });
  await t.rejects(ensureLabCertificates({ dir, names: ['localhost'], keyBits: 1024 }), { code: 'SMP_ERR_CRYPTO' });
});
