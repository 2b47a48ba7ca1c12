// Benchmark of lab certificate generation: smp-lab's path (node:crypto keys, node-forge X.509,
// native signing) against the reference, node-forge alone in pure JavaScript, in the same run.
// Prints milliseconds per server certificate (key + certificate) and the speed-up ratio.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { ensureLabCertificates, issueServerCertificate, makeLabCa, normaliseNames } from '../certs/index.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const names = normaliseNames(['localhost', 'bench.lab'], ['127.0.0.1', '::1']);

async function timeMs(rounds: number, work: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i += 1) await work();
  return Number(process.hrtime.bigint() - start) / 1e6 / rounds;
}

/** The reference: what a plain node-forge user writes (pure-JS RSA keys, forge signing). */
function forgePureJsCertificate(caKey: forge.pki.rsa.PrivateKey): string {
  // forge.options is missing from @types/node-forge; it switches off forge's native key generation.
  (forge as unknown as { options: { usePureJavaScript: boolean } }).options.usePureJavaScript = true;
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer([{ name: 'commonName', value: 'ref CA' }]);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }]);
  cert.sign(caKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

const ca = await makeLabCa({ days: 30 });
const refCaKey = forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey;
const refRounds = Math.max(2, Math.ceil(ROUNDS / 2));
const reference = await timeMs(refRounds, () => forgePureJsCertificate(refCaKey));
const ours = await timeMs(ROUNDS, () => issueServerCertificate(ca, names, { days: 30 }));
const dir = await mkdtemp(join(tmpdir(), 'smp-lab-bench-certs-'));
const firstRun = await timeMs(1, () => ensureLabCertificates({ dir, names: ['localhost'] }));
const reuse = await timeMs(ROUNDS, () => ensureLabCertificates({ dir, names: ['localhost'] }));
await rm(dir, { recursive: true, force: true });

const row = (label: string, ms: number): string => `${label.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms`;
console.log(row(`reference: node-forge pure JS, key + cert (${refRounds} rounds)`, reference));
console.log(row(`smp-lab issueServerCertificate, key + cert (${ROUNDS} rounds)`, ours));
console.log(row('smp-lab ensureLabCertificates, empty folder (CA + server)', firstRun));
console.log(row(`smp-lab ensureLabCertificates, reuse (${ROUNDS} rounds)`, reuse));
console.log(`ratio reference / smp-lab per server certificate: ${(reference / ours).toFixed(1)}x`);
