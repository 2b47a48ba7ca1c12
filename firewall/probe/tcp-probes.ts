// The initiator side of each TCP catalog protocol, run once: HTTP(S) pages, SSH banner, FTP and SMTP
// dialogues, SMB2 negotiate, NetBIOS session request, DCE/RPC bind, and the smp-lab probe handshake.
// Each turns the answer into a verdict that says what was seen.
import { randomBytes } from 'node:crypto';
import type { ResolvedFlow } from '../../shared/catalog-types.js';
import { CO_BIND_ACK, CO_BIND_NAK, decodeCoHeader, encodeBind } from '../../shared/protocol/dcerpc.js';
import { decodeSessionHeader, encodeSessionRequest, SSN_NEGATIVE, SSN_POSITIVE } from '../../shared/protocol/netbios.js';
import { decodeProbeAck, encodeProbeRequest, firstLine } from '../../shared/protocol/probe-handshake.js';
import { decodeSmb, encodeNegotiateRequest, sessionMessageLength } from '../../shared/protocol/smb2-negotiate.js';
import { httpProbeRequest, usesTls } from '../http-routes.js';
import { mismatch, pass, type Verdict } from '../probe-status.js';
import { preview } from './bytes-preview.js';
import { judgeHttp, parseHttpAnswer, requestBytes } from './http-answer.js';
import { tcpExchange, type Reader, type TcpTarget } from './tcp-exchange.js';

export interface ProbeTarget {
  readonly peer: string;
  readonly timeoutMs: number;
  readonly ca?: string;
}

export function probeTcpFlow(flow: ResolvedFlow, port: number, t: ProbeTarget): Promise<Verdict> {
  const target: TcpTarget = { host: t.peer, port, timeoutMs: t.timeoutMs, ...(usesTls(flow) ? { tls: t.ca !== undefined ? { ca: t.ca } : {} } : {}) };
  switch (flow.protocol) {
    case 'http':
    case 'https':
    case 'amt':
    case 'ws-man': {
      const req = httpProbeRequest(flow);
      return tcpExchange(target, requestBytes(req, t.peer), (buf, _w, tls) => {
        const a = parseHttpAnswer(buf);
        if (a === 'not-http') return mismatch(`not HTTP: "${preview(buf)}"`);
        return a === null ? null : judgeHttp(flow, req, a, tls);
      });
    }
    case 'ssh':
      return tcpExchange(target, null, (buf) => {
        const end = buf.indexOf('\n');
        if (end < 0) return buf.length > 255 ? mismatch(`no SSH identification line: "${preview(buf)}"`) : null;
        const line = buf.subarray(0, end).toString('latin1').trim();
        return line.startsWith('SSH-2.0-') || line.startsWith('SSH-1.99-') ? pass(`SSH server: ${line}`) : mismatch(`not SSH: "${preview(buf)}"`);
      });
    case 'ftp':
      return tcpExchange(target, null, dialogue('SYST', /^215[ -]/, 'FTP'));
    case 'smtp':
      return tcpExchange(target, null, dialogue('EHLO smp-lab-probe', /^250[ -]/, 'SMTP'));
    case 'smb':
      return tcpExchange(target, encodeNegotiateRequest(), smbReader);
    case 'netbios-ssn':
      return tcpExchange(target, encodeSessionRequest('*SMBSERVER', 'SMPLABPROBE'), (buf) => {
        const h = decodeSessionHeader(buf);
        if (h === null) return null;
        if (h.type === SSN_POSITIVE) return pass('NetBIOS session service: positive session response');
        if (h.type === SSN_NEGATIVE) return pass('NetBIOS session service: negative session response (service present, name refused)');
        return mismatch(`not a NetBIOS session answer: "${preview(buf)}"`);
      });
    case 'msrpc':
      return tcpExchange(target, encodeBind(1), (buf) => {
        const h = decodeCoHeader(buf);
        if (h === null || buf.length < h.length) return null;
        if (h.ptype === CO_BIND_ACK) return pass('DCE/RPC endpoint mapper: bind_ack');
        if (h.ptype === CO_BIND_NAK) return pass('DCE/RPC endpoint mapper present: bind_nak');
        return mismatch(`DCE/RPC packet type ${h.ptype}, not an answer to bind`);
      });
    default:
      return handshake(flow, target);
  }
}

/** Banner 220, then one command whose answer must match `ok`. */
function dialogue(command: string, ok: RegExp, name: string): Reader {
  let banner: string | null = null;
  return (buf, write) => {
    const text = buf.toString('latin1');
    if (banner === null) {
      const end = text.indexOf('\n');
      if (end < 0) return null;
      banner = text.slice(0, end).trim();
      if (!banner.startsWith('220')) return mismatch(`no ${name} greeting: "${preview(buf)}"`);
      write(`${command}\r\n`);
      return null;
    }
    const rest = text.slice(text.indexOf('\n') + 1);
    const lines = rest.split('\n');
    const last = lines.findIndex((l) => /^\d{3} /.test(l));
    if (last < 0) return null;
    return ok.test(rest) ? pass(`${name}: ${banner}`) : mismatch(`${name} greeting "${banner}" but "${command}" got "${(lines[last] ?? '').trim()}"`);
  };
}

const smbReader: Reader = (buf) => {
  const n = sessionMessageLength(buf);
  if (n === null) return null;
  const m = decodeSmb(buf.subarray(4, n));
  if (!m.response) return mismatch('SMB request where an answer was expected');
  return pass(m.version === 2 ? `SMB2 negotiate answer, dialect 0x${(m.dialect ?? 0).toString(16)}` : 'SMB1 answer');
};

function handshake(flow: ResolvedFlow, target: TcpTarget): Promise<Verdict> {
  const nonce = randomBytes(6).toString('hex');
  return tcpExchange(target, encodeProbeRequest({ flowId: flow.id, nonce }), (buf) => {
    const line = firstLine(buf);
    return line === null ? null : judgeAck(flow, line, nonce);
  });
}

export function judgeAck(flow: ResolvedFlow, line: string, nonce: string): Verdict {
  const ack = decodeProbeAck(line);
  if (ack.nonce !== nonce) return mismatch(`handshake answer for another request (nonce ${ack.nonce})`);
  if (!ack.roles.includes(flow.listener) || ack.protocol !== flow.protocol) {
    return mismatch(`smp-lab listener for ${ack.roles.join(',')} speaking ${ack.protocol}, not ${flow.listener} ${flow.protocol}`);
  }
  return pass(`smp-lab probe handshake: ${ack.protocol} for ${ack.roles.join(',')}`);
}
