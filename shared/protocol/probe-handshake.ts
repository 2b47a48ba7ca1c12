// The smp-lab probe handshake (smp-lab, version 1): one ASCII line a firewall probe sends to a flow
// whose real framing is not public (tickle, task channel, Event Console, Monitor ...) and the line a
// responder answers. Pure codec: bounded input, typed errors; never touches a socket.
import { smpError } from '../errors.js';

export const PROBE_HANDSHAKE_VERSION = 1;
/** Longest line either side may send, terminator included. */
export const PROBE_HANDSHAKE_MAX = 256;

const TOKEN = /^[A-Za-z0-9._,:-]{1,64}$/;

export interface ProbeRequest {
  readonly flowId: string;
  readonly nonce: string;
}

export interface ProbeAck extends ProbeRequest {
  /** Roles the answering listener serves, e.g. ['ns', 'ts']. */
  readonly roles: readonly string[];
  /** The catalog protocol the listener speaks on this port. */
  readonly protocol: string;
}

function checkToken(what: string, v: string): string {
  if (!TOKEN.test(v)) throw smpError('BAD_FRAME', `probe handshake: bad ${what} ${JSON.stringify(v.slice(0, 40))}`);
  return v;
}

export function encodeProbeRequest(r: ProbeRequest): Buffer {
  return Buffer.from(`SMPLAB-PROBE/${PROBE_HANDSHAKE_VERSION} ${checkToken('flow id', r.flowId)} ${checkToken('nonce', r.nonce)}\n`, 'ascii');
}

export function encodeProbeAck(a: ProbeAck): Buffer {
  const roles = checkToken('roles', a.roles.join(','));
  return Buffer.from(
    `SMPLAB-ACK/${PROBE_HANDSHAKE_VERSION} ${checkToken('flow id', a.flowId)} ${checkToken('nonce', a.nonce)} ${roles} ${checkToken('protocol', a.protocol)}\n`,
    'ascii',
  );
}

/** The first line of `buf`, or null when no complete line is there yet (and the bound is not hit). */
export function firstLine(buf: Buffer): string | null {
  const end = buf.indexOf(0x0a);
  if (end < 0) {
    if (buf.length >= PROBE_HANDSHAKE_MAX) throw smpError('FRAME_TOO_LARGE', `probe handshake: no line end within ${PROBE_HANDSHAKE_MAX} bytes`);
    return null;
  }
  if (end >= PROBE_HANDSHAKE_MAX) throw smpError('FRAME_TOO_LARGE', `probe handshake: line longer than ${PROBE_HANDSHAKE_MAX} bytes`);
  return buf.subarray(0, end).toString('latin1').replace(/\r$/, '');
}

function fields(line: string, magic: string, count: number): string[] {
  const parts = line.split(' ');
  const head = parts[0] ?? '';
  if (!head.startsWith(`${magic}/`)) throw smpError('BAD_FRAME', `probe handshake: expected ${magic}, got ${JSON.stringify(line.slice(0, 40))}`);
  const version = Number(head.slice(magic.length + 1));
  if (version !== PROBE_HANDSHAKE_VERSION) {
    throw smpError('UNSUPPORTED_VERSION', `probe handshake: version ${JSON.stringify(head.slice(magic.length + 1))} is not ${PROBE_HANDSHAKE_VERSION}`);
  }
  if (parts.length !== count + 1) throw smpError('BAD_FRAME', `probe handshake: ${magic} needs ${count} fields, got ${parts.length - 1}`);
  return parts.slice(1);
}

export function decodeProbeRequest(line: string): ProbeRequest {
  const [flowId = '', nonce = ''] = fields(line, 'SMPLAB-PROBE', 2);
  return { flowId: checkToken('flow id', flowId), nonce: checkToken('nonce', nonce) };
}

export function decodeProbeAck(line: string): ProbeAck {
  const [flowId = '', nonce = '', roles = '', protocol = ''] = fields(line, 'SMPLAB-ACK', 4);
  return {
    flowId: checkToken('flow id', flowId),
    nonce: checkToken('nonce', nonce),
    roles: checkToken('roles', roles).split(','),
    protocol: checkToken('protocol', protocol),
  };
}
