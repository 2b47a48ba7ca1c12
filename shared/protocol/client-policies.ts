// GetClientPolicies.aspx. Requests in both public forms: legacy GET parameters (`Xml` or
// `WrkstaGuid`, `Hash`, `ConfigVersion`, `Compress`, `WrkstaName`; KB 179695) and the current POST
// `<request configVersion securedPolicy><resources><resource guid typeGuid host/></resources></request>`.
// Plain answer `<response nsVersion hash><resources/><policies><Policy><ClientPolicy agentClsid>`;
// `hash` and the short "unchanged" answer are smp-lab v1. Pure and bounded; binary forms elsewhere.
import { smpError } from '../errors.js';
import { braced, parseGuid } from './guid.js';
import { attr, child, children, escapeXml, parseXml, renderElement, type XmlElement, type XmlLimits, type XmlNode } from './xml.js';

export interface ClientPoliciesRequest {
  readonly form: 'get' | 'post';
  readonly guid: string;
  readonly typeGuid: string | null;
  readonly configVersion: string | null;
  /** Ask for the secured (encrypted) answer. */
  readonly secured: boolean;
  /** Ask for the lab-compressed binary answer. */
  readonly compress: boolean;
  /** Hash of the policies the agent holds; equal -> short answer. */
  readonly hash: string | null;
  readonly wrkstaName: string | null;
}

export interface ClientPolicy {
  readonly agentClsid: string;
  readonly content: readonly XmlElement[];
}

export interface PolicyEntry {
  readonly guid: string;
  readonly name: string;
  readonly version: string;
  readonly clientPolicies: readonly ClientPolicy[];
}

export interface ClientPoliciesResponse {
  readonly nsVersion: string;
  readonly hash: string;
  /** True for the short answer: the agent's Hash is current, no policies follow. */
  readonly unchanged: boolean;
  readonly resources: readonly { readonly guid: string; readonly status: string | null }[];
  readonly policies: readonly PolicyEntry[];
}

const REQUEST_LIMITS: XmlLimits = { maxBytes: 64 * 1024, maxDepth: 8 };
const RESPONSE_LIMITS: XmlLimits = { maxBytes: 16 * 1024 * 1024, maxDepth: 48 };
const TRUE = new Set(['1', 'true', 'yes']);
const isTrue = (v: string | undefined | null): boolean => v != null && TRUE.has(v.trim().toLowerCase());
const short = (v: string | undefined | null, max: number, what: string): string | null => {
  if (v == null || v === '') return null;
  if (v.length > max) throw smpError('BAD_INPUT', `${what} is longer than ${max} characters`);
  return v;
};

/** POST body (or the legacy `Xml` parameter). */
export function decodeClientPoliciesXml(body: string | Buffer, form: 'get' | 'post' = 'post'): ClientPoliciesRequest {
  const root = parseXml(body, REQUEST_LIMITS, 'GetClientPolicies request');
  if (root.name.toLowerCase() !== 'request') throw smpError('BAD_XML', `GetClientPolicies expects <request>, got <${root.name}>`);
  const list = children(child(root, 'resources') ?? root, 'resource');
  const host = list.find((r) => isTrue(attr(r, 'host'))) ?? list[0];
  if (host === undefined) throw smpError('MISSING_PARAMETER', 'GetClientPolicies request names no <resource guid>');
  const typeGuid = attr(host, 'typeGuid');
  return {
    form, guid: parseGuid(attr(host, 'guid'), 'resource guid'),
    typeGuid: typeGuid ? parseGuid(typeGuid, 'typeGuid') : null,
    configVersion: short(attr(root, 'configVersion'), 32, 'configVersion'),
    secured: isTrue(attr(root, 'securedPolicy')), compress: isTrue(attr(root, 'compress')),
    hash: short(attr(root, 'hash'), 128, 'hash'), wrkstaName: short(attr(root, 'wrkstaName'), 255, 'wrkstaName'),
  };
}

/** Legacy GET: parameter names match case-insensitively, as ASP.NET's Request.QueryString does. */
export function decodeClientPoliciesQuery(query: Readonly<Record<string, unknown>>): ClientPoliciesRequest {
  const p = new Map<string, string>();
  for (const [k, v] of Object.entries(query)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (typeof value === 'string') p.set(k.toLowerCase(), value);
  }
  const xml = p.get('xml');
  const common = {
    hash: short(p.get('hash'), 128, 'Hash'), configVersion: short(p.get('configversion'), 32, 'ConfigVersion'),
    compress: isTrue(p.get('compress')), wrkstaName: short(p.get('wrkstaname'), 255, 'WrkstaName'),
  };
  if (xml !== undefined && xml !== '') {
    const r = decodeClientPoliciesXml(xml, 'get');
    return { ...r, hash: common.hash ?? r.hash, configVersion: common.configVersion ?? r.configVersion,
      compress: common.compress || r.compress, wrkstaName: common.wrkstaName ?? r.wrkstaName };
  }
  const guid = p.get('wrkstaguid');
  if (guid === undefined || guid === '') throw smpError('MISSING_PARAMETER', 'GetClientPolicies needs the Xml or WrkstaGuid parameter');
  return { form: 'get', guid: parseGuid(guid, 'WrkstaGuid'), typeGuid: null, secured: false, ...common };
}

export function encodeClientPoliciesPost(r: Omit<ClientPoliciesRequest, 'form'>): string {
  let out = `<request configVersion="${escapeXml(r.configVersion ?? '2')}" securedPolicy="${r.secured ? 1 : 0}"`;
  if (r.compress) out += ' compress="1"';
  if (r.hash) out += ` hash="${escapeXml(r.hash)}"`;
  out += `><resources><resource required="true" host="true" guid="${braced(r.guid)}"`;
  if (r.typeGuid) out += ` typeGuid="${braced(r.typeGuid)}"`;
  return `${out}/></resources></request>`;
}

/** Legacy GET query string (without `?`). */
export function encodeClientPoliciesQuery(r: Omit<ClientPoliciesRequest, 'form' | 'secured' | 'typeGuid'>): string {
  const q = new URLSearchParams({ WrkstaGuid: braced(r.guid) });
  if (r.hash) q.set('Hash', r.hash);
  if (r.configVersion) q.set('ConfigVersion', r.configVersion);
  if (r.compress) q.set('Compress', '1');
  if (r.wrkstaName) q.set('WrkstaName', r.wrkstaName);
  return q.toString();
}

/** The `<policies>` element; the part worth caching. Secure attributes only with `withSecrets`. */
export function renderPolicies(policies: readonly PolicyEntry[], withSecrets: boolean): string {
  let out = '<policies>';
  for (const p of policies) {
    out += `<Policy guid="${braced(p.guid)}" name="${escapeXml(p.name)}" version="${escapeXml(p.version)}">`;
    for (const cp of p.clientPolicies) {
      out += `<ClientPolicy agentClsid="${escapeXml(cp.agentClsid)}">`;
      for (const el of cp.content) out += renderElement(el, withSecrets);
      out += '</ClientPolicy>';
    }
    out += '</Policy>';
  }
  return `${out}</policies>`;
}

export interface ResponseFrame {
  readonly nsVersion: string;
  readonly hash: string;
  readonly guid: string;
  readonly status: string;
}

/** Whole answer around a rendered `<policies>` element (or the short answer when null). */
export function wrapPoliciesResponse(f: ResponseFrame, policiesXml: string | null): string {
  const head = `<response nsVersion="${escapeXml(f.nsVersion)}" hash="${escapeXml(f.hash)}"`;
  const res = `<resources><resource guid="${braced(f.guid)}" status="${escapeXml(f.status)}"/></resources>`;
  return policiesXml === null ? `${head} unchanged="true">${res}</response>` : `${head}>${res}${policiesXml}</response>`;
}

export function decodeClientPoliciesResponse(body: string | Buffer): ClientPoliciesResponse {
  const root = parseXml(body, RESPONSE_LIMITS, 'GetClientPolicies response');
  if (root.name !== 'response') throw smpError('BAD_XML', `GetClientPolicies answer is <${root.name}>, not <response>`);
  const resources = children(child(root, 'resources') ?? root, 'resource')
    .map((r) => ({ guid: parseGuid(attr(r, 'guid'), 'resource guid'), status: attr(r, 'status') ?? null }));
  const policies = children(child(root, 'policies') ?? { name: '', attrs: {}, children: [], text: '' }, 'Policy').map((p): PolicyEntry => ({
    guid: parseGuid(attr(p, 'guid'), 'Policy guid'), name: attr(p, 'name') ?? '', version: attr(p, 'version') ?? '',
    clientPolicies: children(p, 'ClientPolicy').map((cp) => ({ agentClsid: attr(cp, 'agentClsid') ?? '', content: cp.children.map(toElement) })),
  }));
  return { nsVersion: attr(root, 'nsVersion') ?? '', hash: attr(root, 'hash') ?? '', unchanged: isTrue(attr(root, 'unchanged')), resources, policies };
}

/** Parsed node back to an element; `X_SecureAttribute` markers become `secure` entries. */
export function toElement(n: XmlNode): XmlElement {
  const attrs: Record<string, string> = {};
  const secure: string[] = [];
  for (const [k, v] of Object.entries(n.attrs)) {
    if (k.endsWith('_SecureAttribute')) secure.push(k.slice(0, -'_SecureAttribute'.length));
    else attrs[k] = v;
  }
  return { name: n.name, attrs, ...(secure.length ? { secure } : {}), ...(n.children.length ? { children: n.children.map(toElement) } : {}),
    ...(n.text ? { text: n.text } : {}) };
}
