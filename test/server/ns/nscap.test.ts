import t from 'tap';
import { createHash } from 'node:crypto';
import { deterministicSha256 } from '../../../server/ns/deterministic-content.js';
import { installerSpecs, installerUrlPath } from '../../../server/ns/nscap/installers.js';
import { send, startTestNs } from '../../helpers/ns.js';
import { rawRequest } from '../../helpers/raw-http.js';

const SIZES = { windows: 200_003, unix: 65_537 };
const OPTS = { packages: { installerSizes: SIZES, labPackages: { count: 1, payloadSize: 4096 } } };
const WIN = '/Altiris/NS/NSCap/Bin/Win32/X86/NS%20Client%20Package/AeXNSC.exe';
const LINUX = '/Altiris/NS/NSCap/Bin/Unix/AgentInstall/Linux/x64/aex-bootstrap-linux';

t.test('installers download whole, in any case, over HTTP and HTTPS, with their deterministic bytes', async (t) => {
  const lab = await startTestNs(OPTS);
  t.teardown(() => lab.close());
  const specs = installerSpecs(SIZES);
  t.equal(installerUrlPath(specs[0]!), WIN);
  for (const base of [lab.http, lab.https]) {
    for (const spec of specs) {
      const r = await send(base, installerUrlPath(spec));
      t.equal(r.status, 200, `${base} ${spec.rel}`);
      t.equal(r.body.length, spec.size);
      t.equal(createHash('sha256').update(r.body).digest('hex'), await deterministicSha256(`nscap:${spec.rel}`, spec.size, spec.header));
      t.equal(r.headers['accept-ranges'], 'bytes');
      t.match(r.headers['etag'], /^"[0-9a-f]+:0"$/, 'strong IIS-style ETag');
      t.ok(r.headers['last-modified']);
    }
    const win = await send(base, WIN);
    t.equal(win.body.subarray(0, 2).toString(), 'MZ');
    const lower = await send(base, WIN.toLowerCase());
    t.equal(lower.status, 200, 'path matched in any case, as IIS does');
    t.same(lower.body, win.body);
    const linux = await send(base, LINUX);
    t.match(linux.body.subarray(0, 10).toString(), /^#!\/bin\/sh/);
    const head = await send(base, LINUX, { method: 'HEAD' });
    t.equal(head.status, 200);
    t.equal(head.headers['content-length'], String(SIZES.unix));
    t.equal(head.body.length, 0);
    const missing = await send(base, '/Altiris/NS/NSCap/Bin/Win32/X86/NS%20Client%20Package/Other.exe');
    t.equal(missing.status, 404);
  }
});

t.test('ranges and conditional GETs answer as IIS does (206, 416, 304, 412, If-Range)', async (t) => {
  const lab = await startTestNs(OPTS);
  t.teardown(() => lab.close());
  const full = await send(lab.http, WIN);
  const etag = String(full.headers['etag']);
  const lastModified = String(full.headers['last-modified']);

  const part = await send(lab.http, WIN, { headers: { range: 'bytes=100-199' } });
  t.equal(part.status, 206);
  t.equal(part.headers['content-range'], `bytes 100-199/${SIZES.windows}`);
  t.same(part.body, full.body.subarray(100, 200));
  const suffix = await send(lab.https, WIN, { headers: { range: 'bytes=-10' } });
  t.equal(suffix.status, 206);
  t.same(suffix.body, full.body.subarray(SIZES.windows - 10));
  const open = await send(lab.http, WIN, { headers: { range: `bytes=${SIZES.windows - 3}-` } });
  t.equal(open.status, 206);
  t.equal(open.body.length, 3);
  const beyond = await send(lab.http, WIN, { headers: { range: `bytes=${SIZES.windows}-` } });
  t.equal(beyond.status, 416);
  t.equal(beyond.headers['content-range'], `bytes */${SIZES.windows}`);

  const cached = await send(lab.http, WIN, { headers: { 'if-none-match': etag } });
  t.equal(cached.status, 304);
  t.equal(cached.body.length, 0);
  t.equal(cached.headers['etag'], etag);
  const since = await send(lab.http, WIN, { headers: { 'if-modified-since': lastModified } });
  t.equal(since.status, 304);
  const changed = await send(lab.http, WIN, { headers: { 'if-none-match': '"abc:0"', 'if-modified-since': lastModified } });
  t.equal(changed.status, 200, 'If-Modified-Since is ignored when If-None-Match does not match');
  const precondition = await send(lab.http, WIN, { headers: { 'if-match': '"abc:0"' } });
  t.equal(precondition.status, 412);
  const resumeSame = await send(lab.http, WIN, { headers: { range: 'bytes=10-19', 'if-range': etag } });
  t.equal(resumeSame.status, 206, 'If-Range with the current ETag keeps the range');
  const resumeStale = await send(lab.http, WIN, { headers: { range: 'bytes=10-19', 'if-range': '"abc:0"' } });
  t.equal(resumeStale.status, 200, 'If-Range with an old ETag sends the whole file');
  t.equal(resumeStale.body.length, SIZES.windows);
});

t.test('a restart keeps installer files and their ETags', async (t) => {
  const lab = await startTestNs(OPTS);
  const first = await send(lab.http, WIN);
  await lab.close({ keepData: true });
  const again = await startTestNs(OPTS, lab.dataDir);
  t.teardown(() => again.close());
  const second = await send(again.http, WIN);
  t.equal(second.headers['etag'], first.headers['etag']);
  t.same(second.body, first.body);
});

t.test('path traversal and reserved names get a 400 with a reason; the server keeps serving', async (t) => {
  const lab = await startTestNs(OPTS);
  t.teardown(() => lab.close());
  const attempts = [
    '/Altiris/NS/NSCap/../../../etc/passwd',
    '/Altiris/NS/NSCap/Bin/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/Altiris/NS/NSCap/Bin%2f..%2f..%2fetc%2fpasswd',
    '/Altiris/NS/NSCap/Bin/..%5c..%5cwin.ini',
    '/Altiris/NS/NSCap/.smp-lab-manifest.json',
    '/Altiris/NS/NSCap/Bin/x%00.exe',
    '/Altiris/PackageShare/pkggroup_ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84/../../ns.sqlite',
    '/Altiris/PS/Share/ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84/cache/..%2f..%2f..%2fns-signing-key.pem',
  ];
  for (const base of [lab.http, lab.https]) {
    for (const p of attempts) {
      const r = await rawRequest(base, p, { ca: lab.cert.cert });
      t.equal(r.status, 400, `${p} refused`);
      t.match(r.body, /SMP_ERR_BAD_INPUT.*refused: traversal/);
      const ok = await send(base, LINUX, { method: 'HEAD' });
      t.equal(ok.status, 200, 'next good request is served');
    }
  }
});
