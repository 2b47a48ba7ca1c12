// Table and fuzz tests of the codecs the firewall responders and probes speak: the smp-lab probe
// handshake, NetBIOS, RMCP/IPMI, DCE/RPC, SMB2 negotiate and the SNMP messages.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { isSmpError } from '../../../shared/errors.js';
import * as hs from '../../../shared/protocol/probe-handshake.js';
import * as nb from '../../../shared/protocol/netbios.js';
import * as rmcp from '../../../shared/protocol/rmcp.js';
import * as rpc from '../../../shared/protocol/dcerpc.js';
import * as smb from '../../../shared/protocol/smb2-negotiate.js';
import * as snmp from '../../../shared/protocol/snmp-ber.js';

t.test('probe handshake: round trip, versions, bounds', async (t) => {
  const req = hs.encodeProbeRequest({ flowId: 'ns-tickle', nonce: 'abc123' });
  t.equal(req.toString(), 'SMPLAB-PROBE/1 ns-tickle abc123\n');
  t.same(hs.decodeProbeRequest(hs.firstLine(req) ?? ''), { flowId: 'ns-tickle', nonce: 'abc123' });
  const ack = hs.encodeProbeAck({ flowId: 'ns-tickle', nonce: 'abc123', roles: ['agent', 'device'], protocol: 'smp-tickle' });
  t.same(hs.decodeProbeAck(hs.firstLine(ack) ?? ''), { flowId: 'ns-tickle', nonce: 'abc123', roles: ['agent', 'device'], protocol: 'smp-tickle' });
  t.equal(hs.firstLine(Buffer.from('SMPLAB-PROBE/1 a')), null, 'incomplete line waits');
  const cases: [string, string][] = [
    ['SMPLAB-PROBE/2 a b', 'SMP_ERR_UNSUPPORTED_VERSION'],
    ['SMPLAB-PROBE/1 a', 'SMP_ERR_BAD_FRAME'],
    ['GET / HTTP/1.1', 'SMP_ERR_BAD_FRAME'],
    ['SMPLAB-PROBE/1 a<b c', 'SMP_ERR_BAD_FRAME'],
  ];
  for (const [line, code] of cases) t.throws(() => hs.decodeProbeRequest(line), { code }, line);
  t.throws(() => hs.firstLine(Buffer.alloc(hs.PROBE_HANDSHAKE_MAX, 0x41)), { code: 'SMP_ERR_FRAME_TOO_LARGE' });
  t.throws(() => hs.encodeProbeRequest({ flowId: 'a b', nonce: 'x' }), { code: 'SMP_ERR_BAD_FRAME' });
});

t.test('netbios: names, node status, datagrams, session packets', async (t) => {
  const name = nb.encodeName('SMPLAB', 0x20);
  t.equal(name.length, 34);
  t.same(nb.decodeName(name, 0), { name: 'SMPLAB', suffix: 0x20, end: 34 });
  const q = nb.encodeNodeStatusQuery(0x1234);
  t.match(nb.decodeNameQuery(q), { id: 0x1234, response: false, type: 0x21, name: '*' });
  const a = nb.decodeNodeStatusAnswer(nb.encodeNodeStatusAnswer(0x1234, 'smplab'));
  t.same(a, { id: 0x1234, names: ['SMPLAB'] });
  const dgm = nb.decodeDatagram(nb.encodeDirectDatagram(7, '10.0.0.1', 138, 'A', 'SMPLAB', Buffer.from('x')));
  t.match(dgm, { type: nb.DGM_DIRECT_UNIQUE, id: 7, to: 'SMPLAB' });
  t.match(nb.decodeDatagram(nb.encodeDatagramError(7, '10.0.0.1', 138)), { type: nb.DGM_ERROR, id: 7, errorCode: 0x82 });
  t.same(nb.decodeSessionHeader(nb.encodeSessionRequest('*SMBSERVER', 'X')), { type: nb.SSN_REQUEST, length: 68 });
  t.throws(() => nb.decodeNameQuery(Buffer.alloc(10)), { code: 'SMP_ERR_BAD_FRAME' });
});

t.test('rmcp: presence ping/pong and IPMI 1.5 frames with checksums', async (t) => {
  t.same(rmcp.decodeRmcp(rmcp.encodePresencePing(9)), { kind: 'asf', type: rmcp.ASF_PING, tag: 9 });
  t.same(rmcp.decodeRmcp(rmcp.encodePresencePong(9)), { kind: 'asf', type: rmcp.ASF_PONG, tag: 9 });
  const req = rmcp.decodeRmcp(rmcp.encodeGetAuthCapabilities(5));
  t.match(req, { kind: 'ipmi', netFn: 0x06, cmd: 0x38, rqSeq: 5, rqAddr: 0x81 });
  if (req.kind !== 'ipmi') throw new Error('not ipmi');
  const res = rmcp.decodeRmcp(rmcp.encodeIpmiResponse(req, 0, rmcp.AUTH_CAPABILITIES));
  t.match(res, { kind: 'ipmi', netFn: 0x07, cmd: 0x38, completion: 0 });
  const broken = rmcp.encodeGetAuthCapabilities(5);
  broken[broken.length - 1] = ((broken[broken.length - 1] ?? 0) + 1) & 0xff;
  t.throws(() => rmcp.decodeRmcp(broken), { code: 'SMP_ERR_BAD_FRAME' }, 'checksum checked');
});

t.test('dcerpc: bind / bind_nak and connectionless request / reject', async (t) => {
  const bind = rpc.encodeBind(42);
  t.same(rpc.decodeCoHeader(bind), { ptype: rpc.CO_BIND, length: 72, callId: 42 });
  t.same(rpc.decodeCoHeader(rpc.encodeBindNak(42)), { ptype: rpc.CO_BIND_NAK, length: 22, callId: 42 });
  t.equal(rpc.decodeCoHeader(Buffer.alloc(8)), null);
  const activity = randomBytes(16);
  const req = rpc.encodeClRequest(activity);
  const rej = rpc.decodeClHeader(rpc.encodeClReject(req));
  t.equal(rej.ptype, rpc.CL_REJECT);
  t.ok(rej.activity.equals(activity));
});

t.test('smb2: negotiate request and response', async (t) => {
  const req = smb.encodeNegotiateRequest();
  const n = smb.sessionMessageLength(req);
  t.equal(n, req.length);
  t.match(smb.decodeSmb(req.subarray(4)), { version: 2, command: 0, response: false });
  const res = smb.encodeNegotiateResponse(3n, randomBytes(16));
  t.match(smb.decodeSmb(res.subarray(4)), { version: 2, command: 0, response: true, messageId: 3n, dialect: smb.DIALECT_202 });
  t.equal(smb.sessionMessageLength(req.subarray(0, 10)), null);
});

t.test('snmp: get and inform encode, response decodes', async (t) => {
  const get = snmp.decodeMessage(snmp.encodeGet(77, 'public', [snmp.SYS_DESCR_OID]));
  t.match(get, { version: 1, community: 'public', pduType: snmp.PDU_GET, requestId: 77, errorStatus: 0 });
  t.equal(get.varbinds[0]?.oid, snmp.SYS_DESCR_OID);
  const inform = snmp.decodeMessage(snmp.encodeInform(-5, 'public'));
  t.equal(inform.requestId, -5);
  t.equal(inform.varbinds[1]?.text, snmp.COLD_START_OID);
});

t.test('fuzz: random and mutated input gives a value or a typed error, never a crash', async (t) => {
  const decoders: [string, (b: Buffer) => unknown, Buffer][] = [
    ['handshake', (b) => hs.decodeProbeAck(hs.firstLine(b) ?? ''), hs.encodeProbeAck({ flowId: 'x', nonce: 'y', roles: ['ns'], protocol: 'http' })],
    ['nbns', nb.decodeNodeStatusAnswer, nb.encodeNodeStatusAnswer(1, 'A')],
    ['nbdgm', nb.decodeDatagram, nb.encodeDirectDatagram(1, '1.2.3.4', 138, 'A', 'B', Buffer.alloc(3))],
    ['rmcp', rmcp.decodeRmcp, rmcp.encodeGetAuthCapabilities(1)],
    ['dcerpc-co', rpc.decodeCoHeader, rpc.encodeBind(1)],
    ['dcerpc-cl', rpc.decodeClHeader, rpc.encodeClRequest()],
    ['smb', (b) => smb.decodeSmb(b.subarray(4)), smb.encodeNegotiateResponse(1n, randomBytes(16))],
    ['snmp', snmp.decodeMessage, snmp.encodeGet(1, 'public', [snmp.SYS_DESCR_OID])],
  ];
  for (const [name, decode, valid] of decoders) {
    let crashes = 0;
    for (let i = 0; i < 2000; i++) {
      const input = i % 2 === 0 ? randomBytes(Math.floor(Math.random() * 200)) : mutate(valid);
      try {
        decode(input);
      } catch (err) {
        if (!isSmpError(err)) {
          crashes += 1;
          t.fail(`${name}: untyped ${(err as Error).message} on ${input.toString('hex')}`);
        }
      }
      if (crashes > 3) break;
    }
    t.equal(crashes, 0, `${name} never crashes`);
  }
});

function mutate(b: Buffer): Buffer {
  const out = Buffer.from(b);
  const n = 1 + Math.floor(Math.random() * 4);
  for (let i = 0; i < n; i++) out[Math.floor(Math.random() * out.length)] = Math.floor(Math.random() * 256);
  return Math.random() < 0.3 ? out.subarray(0, Math.floor(Math.random() * out.length)) : out;
}
