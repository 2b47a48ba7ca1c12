// The SMP pages a firewall probe asks for on each HTTP(S) flow and the signature that tells an
// smp-lab listener (or a real IIS-hosted NS) from any other web server. Shared by the responder
// and the probe so both sides agree; never invents a path the real product does not have.
import type { ResolvedFlow, Role } from '../shared/catalog-types.js';

/** Response header naming the roles a listener serves, e.g. `X-SMP-Lab-Role: ns,ts,ps`. */
export const SIGNATURE_HEADER_NAME = 'X-SMP-Lab-Role';
/** The same, lower-cased, as parsers see it. */
export const SIGNATURE_HEADER = SIGNATURE_HEADER_NAME.toLowerCase();

export interface HttpProbeRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly contentType?: string;
  readonly body?: string;
  /** Text the answer's body must contain (beyond the signature). */
  readonly expectBody?: string;
}

/** WS-Management Identify (public DMTF DSP0226), answered by any WS-MAN endpoint without auth. */
export const WSMAN_IDENTIFY = '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
  + 'xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">'
  + '<s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>';

/** The NS page every NS flow asks for: the agents' speed-test ping, answered `OK` by a Notification Server. */
export const NS_PAGE = '/Altiris/NS/Agent/ConnectionTest.asp';
export const NS_PAGE_ANSWER = 'OK';
const TS_STATUS = '/Altiris/ClientTaskServer/GetServerStatus.aspx';
const PS_SHARE = '/Altiris/PS/Share/';
const AMT_INDEX = '/index.htm';
const VMWARE_SDK = '/sdk';
const WORKFLOW = '/ProcessManager/';
const WF_EXTENSIONS = '/';

/** The request a probe sends for an HTTP-carried flow (http, https, amt, ws-man). */
export function httpProbeRequest(flow: ResolvedFlow): HttpProbeRequest {
  if (flow.protocol === 'ws-man') {
    return { method: 'POST', path: '/wsman', contentType: 'application/soap+xml;charset=UTF-8', body: WSMAN_IDENTIFY, expectBody: 'IdentifyResponse' };
  }
  if (flow.protocol === 'amt') return { method: 'GET', path: AMT_INDEX };
  const byListener: Partial<Record<Role, string>> = {
    ns: NS_PAGE,
    ts: TS_STATUS,
    ps: PS_SHARE,
    device: /vmware/.test(flow.id) ? VMWARE_SDK : '/',
    workflow: flow.id === 'wf-extensions' ? WF_EXTENSIONS : WORKFLOW,
    internet: '/',
  };
  return { method: 'GET', path: byListener[flow.listener] ?? '/' };
}

/** Whether the flow runs over TLS (https, and the "Secure" AMT / WS-MAN ports). */
export const usesTls = (flow: ResolvedFlow): boolean =>
  flow.protocol === 'https' || ((flow.protocol === 'amt' || flow.protocol === 'ws-man') && /Secure/.test(flow.component));

export const isHttpCarried = (flow: ResolvedFlow): boolean =>
  flow.protocol === 'http' || flow.protocol === 'https' || flow.protocol === 'amt' || flow.protocol === 'ws-man';

/** Every path a responder serving `roles` answers with 200, lower-cased (IIS paths are case-insensitive). */
export function servedPaths(flows: readonly ResolvedFlow[]): Set<string> {
  return new Set(flows.filter(isHttpCarried).map((f) => httpProbeRequest(f).path.toLowerCase()));
}
