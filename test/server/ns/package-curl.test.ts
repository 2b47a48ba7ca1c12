// The package lifecycle driven by curl, as an integrator would script it: package info, signed
// snapshot, ranged and resumed downloads over HTTP and HTTPS (lab certificate trusted by --cacert).
import t from 'tap';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodePackageInfo, encodePackageInfoRequest } from '../../../shared/protocol/package-info.js';
import { decodeSignedSnapshot, verifySignedSnapshot } from '../../../shared/protocol/package-snapshot.js';
import { LAB_PACKAGE_GUID } from '../../../server/ns/packages/library.js';
import { startTestNs } from '../../helpers/ns.js';

const run = promisify(execFile);
const PAYLOAD = 200_000;

async function curl(args: string[]): Promise<{ stdout: string; code: number }> {
  try {
    const r = await run('curl', ['-sS', '--max-time', '10', ...args], { encoding: 'latin1', maxBuffer: 8 << 20 });
    return { stdout: r.stdout, code: 0 };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    throw new Error(`curl ${args.join(' ')} failed (${e.code}): ${e.stderr}`, { cause: err });
  }
}

t.test('curl: package info -> snapshot -> ranged and resumed download', async (t) => {
  const lab = await startTestNs({ packages: { installerSizes: { windows: 1024, unix: 1024 }, labPackages: { count: 1, payloadSize: PAYLOAD } } });
  t.teardown(() => lab.close());
  const caFile = join(lab.dataDir, 'test-ca.pem');
  writeFileSync(caFile, lab.cert.cert);
  for (const base of [lab.http, lab.https.replace('127.0.0.1', 'localhost')]) {
    const tls = base.startsWith('https') ? ['--cacert', caFile] : [];
    const xml = encodePackageInfoRequest({ resource: '8B031AC8-AB06-4460-998C-94837C9C4AE8', version: '1', type: 'codebases', compress: false,
      totalTime: 0, packages: [LAB_PACKAGE_GUID], addresses: ['127.0.0.1'] });
    const info = decodePackageInfo((await curl([...tls, '-G', '--data-urlencode', `xml=${xml}`, `${base}/Altiris/NS/Agent/GetPackageInfo.aspx`])).stdout)[0]!;
    t.equal(info.codebases[0]!.type, base.startsWith('https') ? 'HTTPS' : 'HTTP');
    const snapXml = (await curl([...tls, `${base}/Altiris/NS/Agent/GetPackageSnapshot.aspx?packageGuid=${LAB_PACKAGE_GUID}`])).stdout;
    const snap = verifySignedSnapshot(decodeSignedSnapshot(snapXml), info.sourceKey);
    const payload = snap.files.find((f) => f.name === 'AeXLabPayload.bin')!;
    const url = `${info.codebases[0]!.url}AeXLabPayload.bin`;
    const out = join(lab.dataDir, `payload-${base.startsWith('https') ? 's' : 'p'}.bin`);

    // First 1000 bytes with -r, then curl's own resume (-C -) fetches the rest with a Range request.
    const head = await curl([...tls, '-r', '0-999', '-o', out, '-w', '%{http_code}', url]);
    t.equal(head.stdout, '206');
    t.equal(readFileSync(out).length, 1000);
    const rest = await curl([...tls, '-C', '-', '-o', out, '-w', '%{http_code} %{size_download}', url]);
    t.equal(rest.stdout, `206 ${PAYLOAD - 1000}`);
    t.equal(createHash('sha256').update(readFileSync(out)).digest('hex'), payload.sha256, 'resumed file matches the signed snapshot');

    const cond = await curl([...tls, '-z', out, '-o', '/dev/null', '-w', '%{http_code}', url]);
    t.equal(cond.stdout, '304', 'curl -z (If-Modified-Since) gets 304');
    const beyond = await curl([...tls, '-r', `${PAYLOAD}-`, '-o', '/dev/null', '-w', '%{http_code}', url]);
    t.equal(beyond.stdout, '416');
    const trav = await curl([...tls, '--path-as-is', '-w', '\n%{http_code}', `${base}/Altiris/PS/Share/${LAB_PACKAGE_GUID}/cache/../../../../ns.sqlite`]);
    t.match(trav.stdout, /refused: traversal[\s\S]*\n400$/);
  }
});
