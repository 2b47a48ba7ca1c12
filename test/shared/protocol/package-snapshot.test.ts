import t from 'tap';
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import {
  checkFileName, decodeSignedSnapshot, decodeSnapshot, decodeSnapshotQuery, encodeSignedSnapshot, encodeSnapshot, signSnapshot,
  snapshotUrlPath, verifySignedSnapshot, type Snapshot,
} from '../../../shared/protocol/package-snapshot.js';

const SNAP: Snapshot = {
  packageId: 'ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84', version: 7,
  files: [
    { name: 'install.cmd', size: 80, sha256: 'a'.repeat(64) },
    { name: 'docs/readme.txt', size: 12, sha256: '0123456789abcdef'.repeat(4) },
  ],
};

function key() {
  const { privateKey } = generateKeyPairSync('ed25519');
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, spki, sourceKey: spki.toString('base64') };
}

t.test('snapshot manifest round-trips', async (t) => {
  const xml = encodeSnapshot(SNAP);
  t.equal(xml, '<snapshot format="1" packageId="{ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84}" version="7" fileCount="2" totalSize="92">' +
    `<file name="install.cmd" size="80" sha256="${'a'.repeat(64)}"/><file name="docs/readme.txt" size="12" sha256="${'0123456789abcdef'.repeat(4)}"/></snapshot>`);
  t.same(decodeSnapshot(xml), SNAP);
  t.throws(() => decodeSnapshot(xml.replace('fileCount="2"', 'fileCount="3"')), { code: 'SMP_ERR_BAD_INPUT' });
  t.throws(() => decodeSnapshot(xml.replace('a'.repeat(64), 'A'.repeat(64))), { code: 'SMP_ERR_BAD_INPUT' });
});

t.test('signed snapshot verifies with the sourceKey and fails on any change', async (t) => {
  const k = key();
  const signed = signSnapshot(encodeSnapshot(SNAP), SNAP.packageId, k.privateKey, k.spki);
  const wire = encodeSignedSnapshot(signed);
  t.match(wire, /^<packageSnapshot format="1" packageId="\{ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84\}" algorithm="Ed25519" keyId="[0-9a-f]{64}" signature="[A-Za-z0-9+/=]+"><snapshot>/);
  const back = decodeSignedSnapshot(wire);
  t.same(verifySignedSnapshot(back, k.sourceKey), SNAP);

  const tampered = Buffer.from(back.snapshotBytes.toString('utf8').replace('size="80"', 'size="81"'));
  t.throws(() => verifySignedSnapshot({ ...back, snapshotBytes: tampered }, k.sourceKey), { code: 'SMP_ERR_CRYPTO' });
  t.throws(() => verifySignedSnapshot(back, key().sourceKey), { code: 'SMP_ERR_CRYPTO' }, 'another NS key');
  t.throws(() => verifySignedSnapshot(back, ''), { code: 'SMP_ERR_CRYPTO' }, 'no sourceKey');
  t.throws(() => verifySignedSnapshot(back, 'bm90IGEga2V5'), { code: 'SMP_ERR_CRYPTO' }, 'garbage sourceKey');
  t.throws(() => verifySignedSnapshot({ ...back, algorithm: 'RSA' }, k.sourceKey), { code: 'SMP_ERR_CRYPTO' });
  t.throws(() => verifySignedSnapshot({ ...back, packageId: '11111111-2222-3333-4444-555555555555' }, k.sourceKey), { code: 'SMP_ERR_CRYPTO' });
});

t.test('file names that could leave the package folder are refused', async (t) => {
  for (const ok of ['a', 'setup.exe', 'docs/readme.txt', 'NS Client Package/AeXNSC.exe']) t.equal(checkFileName(ok), ok);
  for (const bad of ['', '../x', 'a/../b', '/abs', 'a//b', 'c:\\x', 'a\\b', 'x\u0000', './a', 'dir/', 'trailing.', 'x'.repeat(241)]) {
    t.throws(() => checkFileName(bad), { code: 'SMP_ERR_BAD_INPUT' }, JSON.stringify(bad));
  }
});

t.test('snapshot query', async (t) => {
  const path = snapshotUrlPath({ packageGuid: SNAP.packageId, resource: '8B031AC8-AB06-4460-998C-94837C9C4AE8', version: 3 });
  t.equal(path, '/Altiris/NS/Agent/GetPackageSnapshot.aspx?packageGuid=%7BACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84%7D&resource=%7B8B031AC8-AB06-4460-998C-94837C9C4AE8%7D&version=3');
  const q = Object.fromEntries(new URL(path, 'http://x').searchParams);
  t.same(decodeSnapshotQuery(q), { packageGuid: SNAP.packageId, resource: '8B031AC8-AB06-4460-998C-94837C9C4AE8', version: 3 });
  t.same(decodeSnapshotQuery({ PACKAGEID: SNAP.packageId }), { packageGuid: SNAP.packageId });
  t.throws(() => decodeSnapshotQuery({}), { code: 'SMP_ERR_MISSING_PARAMETER' });
  t.throws(() => decodeSnapshotQuery({ packageGuid: SNAP.packageId, version: 'x' }), { code: 'SMP_ERR_BAD_INPUT' });
});
