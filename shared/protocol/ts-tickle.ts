// The smp-lab TS tickle link (v1) on TCP 50123: a Task Server holds a link to the NS's tickle
// server, which pushes "work waiting for these agents" and new TS settings down it. Frames of
// frame.ts with magic "TK". Pure encode/decode with typed errors; smp-lab's own format.
import { smpError } from '../errors.js';
import { encodeFrame, PayloadCursor, type Frame, type FrameSpec } from './frame.js';
import { bytesToGuid, guidToBytes } from './guid-bytes.js';
import { ackPayload, errorPayload, MAX_REASON_BYTES, truncateUtf8 } from './task-channel.js';

/** At most 4,000 agent GUIDs per tickle (64,006 bytes) or 4 KiB of settings. */
export const MAX_TICKLE_GUIDS = 4000;
export const TS_TICKLE: FrameSpec = { magic: 'TK', maxPayload: 6 + 16 * MAX_TICKLE_GUIDS, name: 'ts tickle' };
export const MAX_SETTINGS_BYTES = 4096;
export const MAX_TS_NAME_BYTES = 255;

export const TICKLE_MSG = {
  HELLO: 0x01,
  KEEPALIVE: 0x02,
  TICKLE: 0x03,
  ACK: 0x04,
  ERROR: 0x05,
  SETTINGS: 0x06,
} as const;

export type TickleMessage =
  | { readonly type: 'hello'; readonly guid: string; readonly name: string }
  | { readonly type: 'keepalive'; readonly seq: number }
  /** Work waiting: the task version to fetch and the agents it is for (empty = look it up). */
  | { readonly type: 'tickle'; readonly taskVersion: number; readonly agents: readonly string[] }
  | { readonly type: 'ack'; readonly acked: number; readonly value: number }
  | { readonly type: 'error'; readonly code: number; readonly reason: string }
  /** New TS settings as key=value pairs (e.g. maxClients, keepAliveMs). */
  | { readonly type: 'settings'; readonly settings: Readonly<Record<string, string>> };

const SETTING_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export function encodeTickleMessage(m: TickleMessage): Buffer {
  switch (m.type) {
    case 'hello':
      return encodeFrame(TS_TICKLE, TICKLE_MSG.HELLO, Buffer.concat([guidToBytes(m.guid), truncateUtf8(m.name, MAX_TS_NAME_BYTES)]));
    case 'keepalive': {
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32BE(m.seq >>> 0, 0);
      return encodeFrame(TS_TICKLE, TICKLE_MSG.KEEPALIVE, b);
    }
    case 'tickle': {
      if (m.agents.length > MAX_TICKLE_GUIDS) {
        throw smpError('FRAME_TOO_LARGE', `ts tickle: ${m.agents.length} agents in one tickle; at most ${MAX_TICKLE_GUIDS}`);
      }
      const b = Buffer.allocUnsafe(6 + 16 * m.agents.length);
      b.writeUInt32BE(m.taskVersion >>> 0, 0);
      b.writeUInt16BE(m.agents.length, 4);
      m.agents.forEach((g, i) => guidToBytes(g).copy(b, 6 + 16 * i));
      return encodeFrame(TS_TICKLE, TICKLE_MSG.TICKLE, b);
    }
    case 'ack':
      return encodeFrame(TS_TICKLE, TICKLE_MSG.ACK, ackPayload(m.acked, m.value));
    case 'error':
      return encodeFrame(TS_TICKLE, TICKLE_MSG.ERROR, errorPayload(m.code, m.reason));
    case 'settings': {
      const lines = Object.entries(m.settings).map(([k, v]) => {
        if (!SETTING_KEY.test(k) || /[\r\n]/.test(v)) throw smpError('BAD_INPUT', `ts tickle: bad setting ${JSON.stringify(k)}`);
        return `${k}=${v}`;
      });
      const body = Buffer.from(lines.join('\n'), 'utf8');
      if (body.length > MAX_SETTINGS_BYTES) throw smpError('FRAME_TOO_LARGE', `ts tickle: settings of ${body.length} bytes`);
      return encodeFrame(TS_TICKLE, TICKLE_MSG.SETTINGS, body);
    }
  }
}

export function decodeTickleMessage(f: Frame): TickleMessage {
  const c = new PayloadCursor(f.payload, 'ts tickle');
  let m: TickleMessage;
  switch (f.type) {
    case TICKLE_MSG.HELLO:
      m = { type: 'hello', guid: bytesToGuid(c.bytes(16)), name: c.restText(MAX_TS_NAME_BYTES) };
      break;
    case TICKLE_MSG.KEEPALIVE:
      m = { type: 'keepalive', seq: c.u32() };
      break;
    case TICKLE_MSG.TICKLE: {
      const taskVersion = c.u32();
      const count = c.u16();
      if (count > MAX_TICKLE_GUIDS) throw smpError('BAD_FRAME', `ts tickle: ${count} agents; at most ${MAX_TICKLE_GUIDS}`);
      const agents: string[] = [];
      for (let i = 0; i < count; i++) agents.push(bytesToGuid(c.bytes(16)));
      m = { type: 'tickle', taskVersion, agents };
      break;
    }
    case TICKLE_MSG.ACK:
      m = { type: 'ack', acked: c.u8(), value: c.u32() };
      break;
    case TICKLE_MSG.ERROR:
      m = { type: 'error', code: c.u16(), reason: c.restText(MAX_REASON_BYTES) };
      break;
    case TICKLE_MSG.SETTINGS:
      m = { type: 'settings', settings: parseSettings(c.restText(MAX_SETTINGS_BYTES)) };
      break;
    default:
      throw smpError('UNKNOWN_MESSAGE', `ts tickle: unknown message type 0x${f.type.toString(16).padStart(2, '0')}`);
  }
  c.end();
  return m;
}

function parseSettings(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === '') return out;
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq) : '';
    if (!SETTING_KEY.test(key)) throw smpError('BAD_FRAME', `ts tickle: bad settings line ${JSON.stringify(line.slice(0, 40))}`);
    out[key] = line.slice(eq + 1);
  }
  return out;
}
