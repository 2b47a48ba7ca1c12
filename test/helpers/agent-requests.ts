// Agent-side requests built with the shared codecs, as the simulator sends them.
import { encodeCreateResourceRequest, type ResourceKey } from '../../shared/protocol/create-resource.js';
import { encodeNse } from '../../shared/protocol/nse.js';
import { send, type Reply } from './ns.js';

export const XML = { 'content-type': 'application/xml', 'cache-control': 'max-age=0' };
export const BASIC_INVENTORY_TO = '{1592B913-72F3-4C36-91D2-D4EDA21D2F96}';

export function register(base: string, r: { name: string; policyKey: string; guid?: string | null; keys?: ResourceKey[]; rekeySignature?: string }): Promise<Reply> {
  const guid = r.guid ?? null;
  return send(base, '/Altiris/NS/Agent/CreateResource.aspx', {
    headers: { ...XML, ...(guid ? { 'x-sma-id': guid } : {}) },
    body: encodeCreateResourceRequest({ guid, name: r.name, policyKey: r.policyKey, regRequest: { guid, state: 'new' },
      keys: r.keys ?? [{ type: 'name.domain', value: `${r.name}.LAB` }, { type: 'fqdn', value: `${r.name.toLowerCase()}.lab.local` }],
      rekeySignature: r.rekeySignature ?? null }),
  });
}

/** A basic-inventory NSE of about `padTo` bytes. */
export function inventoryNse(guid: string, name: string, padTo = 0): string {
  const base = { to: BASIC_INVENTORY_TO, priority: 1, msgId: null, kind: 'inventory', inventory: {
    resources: [{ ref: '0', typeGuid: '493435F7-3B17-4C4C-B07F-C23E7AB7781F', name, guid }],
    classes: [{ id: '{9ED606E2-8080-4D39-A394-E2CD07D4C8FF}', rows: [{ resourceRef: '0', columns: [name, 'LAB', `${name}.lab.local`] }] }],
  } };
  const xml = encodeNse(base);
  if (xml.length >= padTo) return xml;
  const rowBytes = '<row c0="xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"/>'.length;
  const rows = Math.ceil((padTo - xml.length) / rowBytes);
  const extra = { id: 'pad', rows: Array.from({ length: rows }, () => ({ resourceRef: '0', columns: ['x'.repeat(48)] })) };
  return encodeNse({ ...base, inventory: { ...base.inventory, classes: [...base.inventory.classes, extra] } });
}
