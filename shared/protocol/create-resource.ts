// CreateResource.aspx bodies. Request (public vocabulary: EvilAltiris): `<resource guid name
// policyKey><regRequest guid state/></resource>`; smp-lab adds `<keys><key type value/></keys>`
// and `rekeySignature`. Response (smp-lab v1): `<resource guid typeGuid status/>`. Pure, bounded.
import { smpError } from '../errors.js';
import { braced, parseGuid } from './guid.js';
import { attr, child, children, escapeXml, parseXml, type XmlLimits } from './xml.js';

export type ResourceKeyType = 'name.domain' | 'fqdn' | 'uniqueid';
export const RESOURCE_KEY_TYPES: readonly ResourceKeyType[] = ['name.domain', 'fqdn', 'uniqueid'];
export type RegistrationStatus = 'allowed' | 'pending' | 'blocked';
const STATUSES: readonly RegistrationStatus[] = ['allowed', 'pending', 'blocked'];

export interface ResourceKey {
  readonly type: ResourceKeyType;
  readonly value: string;
}

export interface CreateResourceRequest {
  /** Machine GUID the agent already holds, or null for a first registration. */
  readonly guid: string | null;
  readonly name: string;
  /** base64 policyKey blob (decode with decodePolicyKey). */
  readonly policyKey: string;
  readonly regRequest: { readonly guid: string | null; readonly state: string } | null;
  readonly keys: readonly ResourceKey[];
  /** Proof of the old key when the policyKey changes (rekey-proof.ts). */
  readonly rekeySignature: string | null;
}

export interface CreateResourceResponse {
  readonly guid: string;
  readonly typeGuid: string;
  readonly status: RegistrationStatus;
}

const LIMITS: XmlLimits = { maxBytes: 64 * 1024, maxDepth: 8 };
const MAX_KEYS = 16;
const MAX_VALUE = 512;
const isComputerName = (s: string): boolean =>
  s.length >= 1 && s.length <= 255 && ![...s].some((c) => c < ' ' || '<>&"'.includes(c));

const optionalGuid = (v: string | undefined, field: string): string | null =>
  v === undefined || v.trim() === '' ? null : parseGuid(v, field);

export function decodeCreateResourceRequest(body: string | Buffer): CreateResourceRequest {
  const root = parseXml(body, LIMITS, 'CreateResource request');
  if (root.name.toLowerCase() !== 'resource') throw smpError('BAD_XML', `CreateResource expects <resource>, got <${root.name}>`);
  const name = attr(root, 'name');
  if (name === undefined || !isComputerName(name)) throw smpError('MISSING_PARAMETER', 'resource name is missing or not a computer name (1-255 characters)');
  const policyKey = attr(root, 'policyKey');
  if (policyKey === undefined || policyKey === '') throw smpError('MISSING_PARAMETER', 'resource policyKey is missing');
  const reg = child(root, 'regRequest');
  const keyNodes = children(child(root, 'keys') ?? { name: '', attrs: {}, children: [], text: '' }, 'key');
  if (keyNodes.length > MAX_KEYS) throw smpError('BAD_INPUT', `at most ${MAX_KEYS} resource keys are accepted`);
  const keys = keyNodes.map((k): ResourceKey => {
    const type = attr(k, 'type')?.toLowerCase();
    const value = attr(k, 'value');
    if (!RESOURCE_KEY_TYPES.includes(type as ResourceKeyType)) {
      throw smpError('BAD_INPUT', `resource key type ${JSON.stringify(type ?? '')} unknown; one of ${RESOURCE_KEY_TYPES.join(', ')}`);
    }
    if (value === undefined || value === '' || value.length > MAX_VALUE) throw smpError('BAD_INPUT', `resource key ${type} needs a value of 1-${MAX_VALUE} characters`);
    return { type: type as ResourceKeyType, value };
  });
  const sig = attr(root, 'rekeySignature');
  return {
    guid: optionalGuid(attr(root, 'guid'), 'resource guid'),
    name,
    policyKey,
    regRequest: reg ? { guid: optionalGuid(attr(reg, 'guid'), 'regRequest guid'), state: (attr(reg, 'state') ?? '').slice(0, 32) } : null,
    keys,
    rekeySignature: sig === undefined || sig === '' ? null : sig,
  };
}

export function encodeCreateResourceRequest(r: CreateResourceRequest): string {
  const g = r.guid ? braced(r.guid) : '';
  let out = `<resource guid="${g}" name="${escapeXml(r.name)}" policyKey="${escapeXml(r.policyKey)}"`;
  if (r.rekeySignature) out += ` rekeySignature="${escapeXml(r.rekeySignature)}"`;
  out += '>';
  if (r.regRequest) out += `<regRequest guid="${r.regRequest.guid ? braced(r.regRequest.guid) : ''}" state="${escapeXml(r.regRequest.state)}"/>`;
  if (r.keys.length > 0) {
    out += '<keys>';
    for (const k of r.keys) out += `<key type="${k.type}" value="${escapeXml(k.value)}"/>`;
    out += '</keys>';
  }
  return `${out}</resource>`;
}

export const encodeCreateResourceResponse = (r: CreateResourceResponse): string =>
  `<resource guid="${braced(r.guid)}" typeGuid="${braced(r.typeGuid)}" status="${r.status}"/>`;

export function decodeCreateResourceResponse(body: string | Buffer): CreateResourceResponse {
  const root = parseXml(body, LIMITS, 'CreateResource response');
  if (root.name.toLowerCase() !== 'resource') throw smpError('BAD_XML', `CreateResource answer is <${root.name}>, not <resource>`);
  const status = attr(root, 'status') as RegistrationStatus | undefined;
  if (status === undefined || !STATUSES.includes(status)) throw smpError('BAD_INPUT', 'CreateResource answer has no valid status');
  return { guid: parseGuid(attr(root, 'guid'), 'guid'), typeGuid: parseGuid(attr(root, 'typeGuid'), 'typeGuid'), status };
}
