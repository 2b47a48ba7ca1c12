// The smp-lab task channel (v1) on TCP 50124: messages between a client task agent and its Task
// Server over the frame layer of frame.ts (magic "TC"). Pure encode/decode with typed errors; the
// real SMP framing is not public, so this format is smp-lab's own (docs/protocol.md section 4).
import { smpError } from '../errors.js';
import { encodeFrame, PayloadCursor, type Frame, type FrameSpec } from './frame.js';
import { bytesToGuid, guidToBytes } from './guid-bytes.js';

/** Largest payload on 50124: a hello with a 64-byte name, or an error with its reason. */
export const TASK_CHANNEL: FrameSpec = { magic: 'TC', maxPayload: 256, name: 'task channel' };

export const MSG = {
  HELLO: 0x01,
  KEEPALIVE: 0x02,
  WORK_WAITING: 0x03,
  ACK: 0x04,
  ERROR: 0x05,
} as const;

/** Error codes carried in ERROR frames on 50123 and 50124. */
export const CHANNEL_ERROR = {
  BAD_FRAME: 1,
  FRAME_TOO_LARGE: 2,
  UNSUPPORTED_VERSION: 3,
  UNKNOWN_MESSAGE: 4,
  HELLO_REQUIRED: 5,
  CAPACITY: 6,
  KEEPALIVE_TIMEOUT: 7,
  SHUTTING_DOWN: 8,
  REPLACED: 9,
  BAD_GUID: 10,
} as const;
export type ChannelErrorCode = (typeof CHANNEL_ERROR)[keyof typeof CHANNEL_ERROR];

export const MAX_NAME_BYTES = 64;
export const MAX_REASON_BYTES = 200;

export type ChannelMessage =
  | { readonly type: 'hello'; readonly guid: string; readonly name: string }
  | { readonly type: 'keepalive'; readonly seq: number }
  | { readonly type: 'work-waiting'; readonly seq: number; readonly taskVersion: number }
  | { readonly type: 'ack'; readonly acked: number; readonly value: number }
  | { readonly type: 'error'; readonly code: number; readonly reason: string };

const u32 = (n: number): Buffer => {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
};

/** Payload of an ERROR frame; the reason is cut to MAX_REASON_BYTES on a character boundary. */
export function errorPayload(code: number, reason: string): Buffer {
  const head = Buffer.allocUnsafe(2);
  head.writeUInt16BE(code & 0xffff, 0);
  return Buffer.concat([head, truncateUtf8(reason, MAX_REASON_BYTES)]);
}

export function ackPayload(acked: number, value: number): Buffer {
  return Buffer.concat([Buffer.from([acked & 0xff]), u32(value)]);
}

export function truncateUtf8(text: string, max: number): Buffer {
  const b = Buffer.from(text, 'utf8');
  if (b.length <= max) return b;
  let end = max;
  while (end > 0 && ((b[end] ?? 0) & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

export function encodeChannelMessage(m: ChannelMessage): Buffer {
  switch (m.type) {
    case 'hello':
      return encodeFrame(TASK_CHANNEL, MSG.HELLO, Buffer.concat([guidToBytes(m.guid), truncateUtf8(m.name, MAX_NAME_BYTES)]));
    case 'keepalive':
      return encodeFrame(TASK_CHANNEL, MSG.KEEPALIVE, u32(m.seq));
    case 'work-waiting':
      return encodeFrame(TASK_CHANNEL, MSG.WORK_WAITING, Buffer.concat([u32(m.seq), u32(m.taskVersion)]));
    case 'ack':
      return encodeFrame(TASK_CHANNEL, MSG.ACK, ackPayload(m.acked, m.value));
    case 'error':
      return encodeFrame(TASK_CHANNEL, MSG.ERROR, errorPayload(m.code, m.reason));
  }
}

export function decodeChannelMessage(f: Frame): ChannelMessage {
  const c = new PayloadCursor(f.payload, 'task channel');
  let m: ChannelMessage;
  switch (f.type) {
    case MSG.HELLO:
      m = { type: 'hello', guid: bytesToGuid(c.bytes(16)), name: c.restText(MAX_NAME_BYTES) };
      break;
    case MSG.KEEPALIVE:
      m = { type: 'keepalive', seq: c.u32() };
      break;
    case MSG.WORK_WAITING:
      m = { type: 'work-waiting', seq: c.u32(), taskVersion: c.u32() };
      break;
    case MSG.ACK:
      m = { type: 'ack', acked: c.u8(), value: c.u32() };
      break;
    case MSG.ERROR:
      m = { type: 'error', code: c.u16(), reason: c.restText(MAX_REASON_BYTES) };
      break;
    default:
      throw smpError('UNKNOWN_MESSAGE', `task channel: unknown message type 0x${f.type.toString(16).padStart(2, '0')}`);
  }
  c.end();
  return m;
}

/** Maps a decode error to the ERROR code a server sends before closing. */
export function channelErrorCode(code: string): ChannelErrorCode {
  switch (code) {
    case 'SMP_ERR_FRAME_TOO_LARGE':
      return CHANNEL_ERROR.FRAME_TOO_LARGE;
    case 'SMP_ERR_UNSUPPORTED_VERSION':
      return CHANNEL_ERROR.UNSUPPORTED_VERSION;
    case 'SMP_ERR_UNKNOWN_MESSAGE':
      return CHANNEL_ERROR.UNKNOWN_MESSAGE;
    case 'SMP_ERR_BAD_GUID':
      return CHANNEL_ERROR.BAD_GUID;
    default:
      return CHANNEL_ERROR.BAD_FRAME;
  }
}
