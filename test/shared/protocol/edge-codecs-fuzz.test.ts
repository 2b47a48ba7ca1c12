// Fuzz: random and mutated inputs to every ns-edge decoder give a value or a typed SmpError.
import t from 'tap';
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { isSmpError } from '../../../shared/errors.js';
import { decodePackageInfo, decodePackageInfoRequest, encodePackageInfo, encodePackageInfoRequest } from '../../../shared/protocol/package-info.js';
import { decodeSignedSnapshot, decodeSnapshot, encodeSignedSnapshot, encodeSnapshot, signSnapshot, verifySignedSnapshot } from '../../../shared/protocol/package-snapshot.js';
import { parseW3cLog, w3cHeader, encodeW3cLine } from '../../../shared/protocol/w3c-log.js';
import { decodeExternalPackageRequest } from '../../../shared/protocol/external-package.js';
import { decodeSiteServers } from '../../../shared/protocol/site-servers.js';
import { decodeLicenseDetails } from '../../../shared/protocol/license-details.js';
import { decodeConnectionTestQuery, decodeUploadAnswer } from '../../../shared/protocol/connection-test.js';
import { decodeSnapshotQuery } from '../../../shared/protocol/package-snapshot.js';
import { decodeSiteServerQuery } from '../../../shared/protocol/site-servers.js';
import { decodeLicenseQuery } from '../../../shared/protocol/license-details.js';

let seed = 0x5eed;
const rnd = (n: number): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const ALPHABET = '<>/="\' {}-abcdefgh0123456789ABCDEF&;#?!\n\u00e9\u0000';
const randomText = (len: number): string => Array.from({ length: len }, () => ALPHABET[rnd(ALPHABET.length)]).join('');
function mutate(s: string): string {
  const chars = [...s];
  for (let i = 0, n = 1 + rnd(6); i < n; i++) {
    const at = rnd(chars.length + 1);
    switch (rnd(4)) {
      case 0: chars.splice(at, 1); break;
      case 1: chars.splice(at, 0, ALPHABET[rnd(ALPHABET.length)]!); break;
      case 2: chars.splice(at, rnd(20)); break;
      default: chars.splice(at, 0, ...chars.slice(rnd(chars.length), rnd(chars.length)));
    }
  }
  return chars.join('');
}

const G = 'ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84';
const { privateKey } = generateKeyPairSync('ed25519');
const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
const snapshotXml = encodeSnapshot({ packageId: G, version: 1, files: [{ name: 'a/b.bin', size: 3, sha256: 'f'.repeat(64) }] });
const signedWire = encodeSignedSnapshot(signSnapshot(snapshotXml, G, privateKey, spki));

const targets: Array<[string, string, (s: string) => unknown]> = [
  ['package info request', encodePackageInfoRequest({ resource: G, version: '1', type: 'codebases', compress: false, totalTime: 3, packages: [G], addresses: ['10.0.0.1'] }), decodePackageInfoRequest],
  ['package info answer', encodePackageInfo([{ id: G, name: 'n', size: 1, version: 1, remote: false, priority: 'Normal', status: 'valid', statusDescription: '', minspeed: 0, enableMulticast: false, sourceKey: 'QQ==', codebases: [{ url: 'http://h/', type: 'HTTP', server: 's' }] }]), decodePackageInfo],
  ['snapshot', snapshotXml, decodeSnapshot],
  ['signed snapshot', signedWire, (s) => verifySignedSnapshot(decodeSignedSnapshot(s), spki.toString('base64'))],
  ['w3c log', w3cHeader('x', new Date(0)) + encodeW3cLine({ at: new Date(0), serverIp: '1', method: 'GET', uriStem: '/', uriQuery: '', serverPort: 1, username: '', clientIp: '2', userAgent: 'a b', status: 200, substatus: 0, win32Status: 0, bytesSent: 1, bytesReceived: 1, timeTaken: 1 }), (s) => parseW3cLog(s)],
  ['external package', '<package name="x"><file name="a" size="1"/></package>', (s) => decodeExternalPackageRequest(s, { maxFiles: 8, maxFileBytes: 100, maxTotalBytes: 100 })],
  ['site servers', '<siteServers resource="{ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84}"><siteServer name="a" type="PackageServer" local="true"><url>http://h</url></siteServer></siteServers>', decodeSiteServers],
  ['licence details', '<licenseDetails resource="{ACAEB846-4EE0-4AB6-A8C2-BB1CF9FF2B84}"><license product="p" status="Licensed" seats="1" used="1"/></licenseDetails>', decodeLicenseDetails],
  ['upload answer', '<connectionTest received="5"/>', decodeUploadAnswer],
  // Query decoders get the mutated text as every parameter value.
  ['snapshot query', `{${G}}`, (s) => decodeSnapshotQuery({ packageGuid: s, resource: s })],
  ['snapshot query version', '12', (s) => decodeSnapshotQuery({ packageGuid: G, version: s })],
  ['connection test query', '1024', (s) => decodeConnectionTestQuery({ size: s }, 4096)],
  ['site server query', `{${G}}`, (s) => decodeSiteServerQuery({ resourceGuid: s })],
  ['site server query ip', '10.0.0.1,::1', (s) => decodeSiteServerQuery({ resourceGuid: G, ip: s })],
  ['licence query', `{${G}}`, (s) => decodeLicenseQuery({ resourceGuid: s })],
];

for (const [name, valid, decode] of targets) {
  t.test(`fuzz ${name}`, async (t) => {
    let values = 0;
    let errors = 0;
    for (let i = 0; i < 600; i++) {
      const input = i % 3 === 0 ? randomText(rnd(300)) : mutate(valid);
      try {
        decode(input);
        values++;
      } catch (err) {
        if (!isSmpError(err)) t.fail(`${name}: untyped error ${String(err)} for ${JSON.stringify(input.slice(0, 200))}`);
        errors++;
      }
    }
    t.ok(values + errors === 600, `${values} values, ${errors} typed errors`);
    t.doesNotThrow(() => decode(valid), 'the valid input still decodes');
  });
}
