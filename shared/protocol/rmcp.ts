// RMCP on 623/udp (public: DMTF ASF 2.0 and IPMI 1.5 LAN): the ASF presence ping/pong and the
// unauthenticated IPMI 1.5 request/response frames a responder needs to be recognised by ipmitool.
// Pure and bounded; never touches a socket.
import { smpError } from '../errors.js';

export const RMCP_MAX = 512;
export const ASF_IANA = 4542;
export const CLASS_ASF = 0x06;
export const CLASS_IPMI = 0x07;
export const ASF_PING = 0x80;
export const ASF_PONG = 0x40;

const bad = (msg: string) => smpError('BAD_FRAME', `rmcp: ${msg}`);

export function encodePresencePing(tag: number): Buffer {
  const b = Buffer.from([0x06, 0x00, 0xff, CLASS_ASF, 0, 0, 0, 0, ASF_PING, tag & 0xff, 0x00, 0x00]);
  b.writeUInt32BE(ASF_IANA, 4);
  return b;
}

/** Presence pong: IPMI supported, ASF 1.0 entities. */
export function encodePresencePong(tag: number): Buffer {
  const b = Buffer.alloc(12 + 16);
  b.set([0x06, 0x00, 0xff, CLASS_ASF]);
  b.writeUInt32BE(ASF_IANA, 4);
  b[8] = ASF_PONG;
  b[9] = tag & 0xff;
  b[11] = 16;
  b.writeUInt32BE(ASF_IANA, 12);
  b[20] = 0x81; // supported entities: IPMI + ASF version 1.0
  return b;
}

export type RmcpMessage =
  | { readonly kind: 'asf'; readonly type: number; readonly tag: number }
  | { readonly kind: 'ipmi'; readonly netFn: number; readonly cmd: number; readonly rqSeq: number; readonly rqAddr: number; readonly completion?: number; readonly data: Buffer };

export function decodeRmcp(buf: Buffer): RmcpMessage {
  if (buf.length < 12 || buf.length > RMCP_MAX) throw bad(`packet of ${buf.length} bytes`);
  if (buf[0] !== 0x06) throw bad(`version 0x${(buf[0] ?? 0).toString(16)} is not RMCP 1.0`);
  const cls = (buf[3] ?? 0) & 0x1f;
  if (cls === CLASS_ASF) {
    if (buf.readUInt32BE(4) !== ASF_IANA) throw bad('ASF message without the ASF IANA number');
    return { kind: 'asf', type: buf[8] ?? 0, tag: buf[9] ?? 0 };
  }
  if (cls === CLASS_IPMI) return decodeIpmi15(buf);
  throw bad(`message class 0x${cls.toString(16)}`);
}

function decodeIpmi15(buf: Buffer): RmcpMessage {
  const authType = buf[4] ?? 0;
  const lenAt = authType === 0 ? 13 : 29;
  const len = buf[lenAt];
  if (authType === 0x06) throw bad('RMCP+ (IPMI 2.0) session packets are not answered');
  if (len === undefined || len < 7 || buf.length < lenAt + 1 + len) throw bad('IPMI message cut short');
  const m = buf.subarray(lenAt + 1, lenAt + 1 + len);
  if (checksum(m.subarray(0, 2)) !== m[2] || checksum(m.subarray(3, len - 1)) !== m[len - 1]) throw bad('IPMI checksum mismatch');
  const netFn = (m[1] ?? 0) >> 2;
  const response = (netFn & 1) === 1;
  return {
    kind: 'ipmi', netFn, rqAddr: m[3] ?? 0, rqSeq: (m[4] ?? 0) >> 2, cmd: m[5] ?? 0,
    ...(response ? { completion: m[6] ?? 0 } : {}),
    data: Buffer.from(m.subarray(response ? 7 : 6, len - 1)),
  };
}

const checksum = (b: Uint8Array): number => (0x100 - (b.reduce((s, x) => s + x, 0) & 0xff)) & 0xff;

function frame(msg: Buffer): Buffer {
  const head = Buffer.from([0x06, 0x00, 0xff, CLASS_IPMI, 0, 0, 0, 0, 0, 0, 0, 0, 0, msg.length]);
  return Buffer.concat([head, msg]);
}

/** Get Channel Authentication Capabilities request (App netFn 0x06, cmd 0x38), as ipmitool sends first. */
export function encodeGetAuthCapabilities(rqSeq: number): Buffer {
  const hdr = Buffer.from([0x20, 0x06 << 2]);
  const body = Buffer.from([0x81, (rqSeq & 0x3f) << 2, 0x38, 0x0e, 0x04]);
  return frame(Buffer.concat([hdr, Buffer.from([checksum(hdr)]), body, Buffer.from([checksum(body)])]));
}

/** Response to an IPMI request: completion code and data. */
export function encodeIpmiResponse(req: { netFn: number; cmd: number; rqSeq: number; rqAddr: number }, completion: number, data: Buffer): Buffer {
  const hdr = Buffer.from([req.rqAddr & 0xff, ((req.netFn | 1) & 0x3f) << 2]);
  const body = Buffer.concat([Buffer.from([0x20, (req.rqSeq & 0x3f) << 2, req.cmd & 0xff, completion & 0xff]), data]);
  return frame(Buffer.concat([hdr, Buffer.from([checksum(hdr)]), body, Buffer.from([checksum(body)])]));
}

/** Channel 1, auth types none/MD5/password, per-message auth on, no anonymous login. */
export const AUTH_CAPABILITIES = Buffer.from([0x01, 0x15, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]);
