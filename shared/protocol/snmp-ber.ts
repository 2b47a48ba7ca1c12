// Minimal SNMP v2c messages (public, RFC 3416 over BER): a GetRequest and an InformRequest for the
// firewall probe, and the decoder of the Response PDU both get back. Pure and bounded: lengths are
// checked against the buffer, nesting is fixed, integers are at most 32 bits.
import { smpError } from '../errors.js';

export const SNMP_MAX = 1472;
export const PDU_GET = 0xa0;
export const PDU_RESPONSE = 0xa2;
export const PDU_INFORM = 0xa6;
export const SYS_DESCR_OID = '1.3.6.1.2.1.1.1.0';
const SYS_UPTIME_OID = '1.3.6.1.2.1.1.3.0';
const TRAP_OID_OID = '1.3.6.1.6.3.1.1.4.1.0';
/** coldStart, the notification the probe informs about. */
export const COLD_START_OID = '1.3.6.1.6.3.1.1.5.1';

const bad = (msg: string) => smpError('BAD_FRAME', `snmp: ${msg}`);

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}
const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
function int(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0, 0);
  let i = 0;
  while (i < 3 && ((b[i] === 0 && ((b[i + 1] ?? 0) & 0x80) === 0) || (b[i] === 0xff && ((b[i + 1] ?? 0) & 0x80) !== 0))) i++;
  return tlv(0x02, b.subarray(i));
}
function oid(text: string): Buffer {
  const arcs = text.split('.').map(Number);
  const out = [40 * (arcs[0] ?? 0) + (arcs[1] ?? 0)];
  for (const a of arcs.slice(2)) {
    const bytes = [a & 0x7f];
    for (let v = Math.floor(a / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift((v & 0x7f) | 0x80);
    out.push(...bytes);
  }
  return tlv(0x06, Buffer.from(out));
}
const NULL = Buffer.from([0x05, 0x00]);

function message(community: string, pduType: number, requestId: number, varbinds: Buffer[]): Buffer {
  const pdu = tlv(pduType, int(requestId), int(0), int(0), tlv(0x30, ...varbinds));
  return tlv(0x30, int(1), tlv(0x04, Buffer.from(community, 'latin1')), pdu);
}

export function encodeGet(requestId: number, community: string, oids: readonly string[]): Buffer {
  return message(community, PDU_GET, requestId, oids.map((o) => tlv(0x30, oid(o), NULL)));
}

export function encodeInform(requestId: number, community: string, trapOid = COLD_START_OID): Buffer {
  return message(community, PDU_INFORM, requestId, [
    tlv(0x30, oid(SYS_UPTIME_OID), tlv(0x43, Buffer.from([0]))),
    tlv(0x30, oid(TRAP_OID_OID), oid(trapOid)),
  ]);
}

interface Tlv { tag: number; start: number; end: number }

function read(buf: Buffer, at: number, limit: number): Tlv {
  const tag = buf[at];
  let l = buf[at + 1];
  if (tag === undefined || l === undefined || at + 2 > limit) throw bad('truncated');
  let start = at + 2;
  if (l & 0x80) {
    const n = l & 0x7f;
    if (n < 1 || n > 2 || start + n > limit) throw bad('bad length');
    l = n === 1 ? (buf[start] ?? 0) : buf.readUInt16BE(start);
    start += n;
  }
  if (start + l > limit) throw bad('length beyond the packet');
  return { tag, start, end: start + l };
}

function children(buf: Buffer, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = t.start; at < t.end; ) {
    if (out.length > 64) throw bad('too many elements');
    const c = read(buf, at, t.end);
    out.push(c);
    at = c.end;
  }
  return out;
}

function readInt(buf: Buffer, t: Tlv | undefined): number {
  if (t === undefined || t.tag !== 0x02 || t.end - t.start < 1 || t.end - t.start > 4) throw bad('bad integer');
  return buf.readIntBE(t.start, t.end - t.start);
}

function readOid(buf: Buffer, t: Tlv): string {
  const b = buf.subarray(t.start, t.end);
  const first = b[0] ?? 0;
  const arcs = [Math.min(2, Math.floor(first / 40)), first - 40 * Math.min(2, Math.floor(first / 40))];
  let v = 0;
  for (const x of b.subarray(1)) {
    v = v * 128 + (x & 0x7f);
    if (!(x & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}

export interface SnmpResponse {
  readonly version: number;
  readonly community: string;
  readonly pduType: number;
  readonly requestId: number;
  readonly errorStatus: number;
  readonly varbinds: readonly { readonly oid: string; readonly tag: number; readonly text: string }[];
}

export function decodeMessage(buf: Buffer): SnmpResponse {
  if (buf.length > SNMP_MAX) throw bad(`message of ${buf.length} bytes`);
  const top = read(buf, 0, buf.length);
  if (top.tag !== 0x30) throw bad('not a SEQUENCE');
  const [ver, comm, pdu] = children(buf, top);
  if (comm === undefined || comm.tag !== 0x04 || pdu === undefined) throw bad('not an SNMP v1/v2c message');
  const [rid, es, , vbl] = children(buf, pdu);
  if (vbl === undefined || vbl.tag !== 0x30) throw bad('no varbind list');
  const varbinds = children(buf, vbl).map((vb) => {
    const [o, v] = children(buf, vb);
    if (o === undefined || o.tag !== 0x06 || v === undefined) throw bad('bad varbind');
    const raw = buf.subarray(v.start, v.end);
    return { oid: readOid(buf, o), tag: v.tag, text: v.tag === 0x06 ? readOid(buf, v) : raw.toString('latin1') };
  });
  return {
    version: readInt(buf, ver), community: buf.subarray(comm.start, comm.end).toString('latin1'),
    pduType: pdu.tag, requestId: readInt(buf, rid), errorStatus: readInt(buf, es), varbinds,
  };
}
