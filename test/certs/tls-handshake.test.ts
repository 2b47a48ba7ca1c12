// The lab certificates in use: a real TLS server with them is trusted by a client that trusts only
// the lab CA (and by openssl s_client), refused by a client with default trust, and a client
// certificate from the lab CA passes a server that requires one.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect, createServer, type ConnectionOptions, type Server, type TlsOptions, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import t from 'tap';
import { ensureLabCertificates, issueClientCertificate, normaliseNames } from '../../certs/index.js';

const run = promisify(execFile);

/** openssl s_client with its stdin closed: it handshakes, reports, and quits. */
function sClient(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const p = run('openssl', ['s_client', ...args], { timeout: 15_000 });
  p.child.stdin?.end();
  return p;
}

/** A TLS server that greets and closes (`hangUp`), or greets and waits for the client to close (openssl s_client). */
async function startServer(t: { teardown(fn: () => Promise<void>): void }, opts: TlsOptions, hangUp = true): Promise<{ server: Server; port: number }> {
  const server = createServer(opts, (socket) => {
    socket.on('error', () => undefined);
    const greeting = `hello ${socket.authorized ? 'authorized' : 'anonymous'}\n`;
    if (hangUp) socket.end(greeting);
    else socket.write(greeting);
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Connects and resolves with the server's greeting, or rejects with the handshake error. */
function handshake(opts: ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ ...opts, timeout: 10_000 });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (data += d));
    socket.on('end', () => resolve(data));
    socket.on('timeout', () => socket.destroy(new Error('handshake timed out')));
    socket.on('error', reject);
  });
}

t.test('a client trusting only the lab CA completes the handshake; default trust does not', async (t) => {
  const lab = await ensureLabCertificates({ dir: t.testdir(), names: ['localhost'], ips: ['127.0.0.1'] });
  const { port } = await startServer(t, { cert: lab.certPem, key: lab.keyPem });

  t.equal(await handshake({ host: '127.0.0.1', port, servername: 'localhost', ca: [lab.caCertPem] }), 'hello anonymous\n', 'by DNS name');
  t.equal(await handshake({ host: '127.0.0.1', port, ca: [lab.caCertPem] }), 'hello anonymous\n', 'by IP address SAN');

  await t.rejects(handshake({ host: '127.0.0.1', port, servername: 'localhost' }),
    { code: /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN/ },
    'default trust store does not know the lab CA');
  await t.rejects(handshake({ host: '127.0.0.1', port, servername: 'other.example', ca: [lab.caCertPem] }),
    { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'a name not in the certificate is refused');
});

t.test('openssl s_client verifies the server against ca.pem', async (t) => {
  const root = t.testdir();
  const lab = await ensureLabCertificates({ dir: join(root, 'lab'), names: ['localhost'], ips: ['127.0.0.1'] });
  const { port } = await startServer(t, { cert: lab.certPem, key: lab.keyPem }, false);
  const ok = await sClient(['-connect', `127.0.0.1:${port}`, '-servername', 'localhost',
    '-verify_return_error', '-verify_hostname', 'localhost', '-CAfile', lab.paths.caCert]);
  t.match(ok.stdout, /Verify return code: 0 \(ok\)/);

  const other = await ensureLabCertificates({ dir: join(root, 'other'), names: ['localhost'] });
  const refused = await sClient(['-connect', `127.0.0.1:${port}`, '-servername', 'localhost',
    '-verify_return_error', '-CAfile', other.paths.caCert]).then(() => null, (e: { code?: number; stdout?: string; stderr?: string }) => e);
  t.ok(refused, 'another CA is refused');
  t.not(refused?.code, 0);
  t.match(`${refused?.stdout ?? ''}${refused?.stderr ?? ''}`, /unable to get local issuer certificate|verify error/);
});

t.test('a lab client certificate passes a server that requires one', async (t) => {
  const root = t.testdir();
  const lab = await ensureLabCertificates({ dir: join(root, 'lab'), names: ['localhost'], ips: ['127.0.0.1'] });
  const client = await issueClientCertificate(lab.ca, { commonName: 'agent-0001', names: normaliseNames(['agent-0001.lab'], []) }, { days: 30 });
  const clientFile = join(root, 'client.pem');
  await writeFile(clientFile, client.certPem);
  const purpose = await run('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', lab.paths.caCert, clientFile]);
  t.match(purpose.stdout, /OK/);
  const text = (await run('openssl', ['x509', '-in', clientFile, '-noout', '-text'])).stdout;
  t.match(text, /TLS Web Client Authentication/);
  t.notMatch(text, /TLS Web Server Authentication/);

  const { port } = await startServer(t, { cert: lab.certPem, key: lab.keyPem, ca: [lab.caCertPem], requestCert: true, rejectUnauthorized: true });
  t.equal(await handshake({ host: '127.0.0.1', port, servername: 'localhost', ca: [lab.caCertPem], cert: client.certPem, key: client.keyPem }),
    'hello authorized\n');
  await t.rejects(handshake({ host: '127.0.0.1', port, servername: 'localhost', ca: [lab.caCertPem] }), 'no client certificate, no session');
});
