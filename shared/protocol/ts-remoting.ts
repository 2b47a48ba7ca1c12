// The smp-lab TS remoting channel (v1) on loopback 50121/50122: the TS web part asks the TS process
// for its state. Frames of frame.ts with magic "TR": QUERY (what) -> REPLY (JSON text) or ERROR.
// Pure encode/decode with typed errors; smp-lab's own format (the real one is .NET Remoting).
import { smpError } from '../errors.js';
import { encodeFrame, PayloadCursor, type Frame, type FrameSpec } from './frame.js';
import { errorPayload, MAX_REASON_BYTES } from './task-channel.js';

export const MAX_REPLY_BYTES = 4096;
export const TS_REMOTING: FrameSpec = { magic: 'TR', maxPayload: MAX_REPLY_BYTES, name: 'ts remoting' };

export const REMOTING_MSG = { QUERY: 0x01, REPLY: 0x02, ERROR: 0x05 } as const;
/** What a QUERY asks for. */
export const REMOTING_QUERY = { STATUS: 1, COMPUTER_COUNT: 2 } as const;

export type RemotingMessage =
  | { readonly type: 'query'; readonly what: number }
  | { readonly type: 'reply'; readonly json: string }
  | { readonly type: 'error'; readonly code: number; readonly reason: string };

export function encodeRemotingMessage(m: RemotingMessage): Buffer {
  switch (m.type) {
    case 'query':
      return encodeFrame(TS_REMOTING, REMOTING_MSG.QUERY, Buffer.from([m.what & 0xff]));
    case 'reply':
      return encodeFrame(TS_REMOTING, REMOTING_MSG.REPLY, Buffer.from(m.json, 'utf8'));
    case 'error':
      return encodeFrame(TS_REMOTING, REMOTING_MSG.ERROR, errorPayload(m.code, m.reason));
  }
}

export function decodeRemotingMessage(f: Frame): RemotingMessage {
  const c = new PayloadCursor(f.payload, 'ts remoting');
  let m: RemotingMessage;
  switch (f.type) {
    case REMOTING_MSG.QUERY:
      m = { type: 'query', what: c.u8() };
      break;
    case REMOTING_MSG.REPLY:
      m = { type: 'reply', json: c.restText(MAX_REPLY_BYTES) };
      break;
    case REMOTING_MSG.ERROR:
      m = { type: 'error', code: c.u16(), reason: c.restText(MAX_REASON_BYTES) };
      break;
    default:
      throw smpError('UNKNOWN_MESSAGE', `ts remoting: unknown message type 0x${f.type.toString(16).padStart(2, '0')}`);
  }
  c.end();
  return m;
}
