// What one simulated agent sends and how it reads the answers, over the shared codecs of
// shared/protocol: registration, basic inventory and download status NSEs, policy request, and the
// settings it takes from served policies (intervals, packages). Pure: no sockets, no timers.
import { randomUUID } from 'node:crypto';
import type { AgentIdentity } from '../fleet/identity.js';
import { encodeCreateResourceRequest } from '../../shared/protocol/create-resource.js';
import { decodeClientPoliciesResponse, encodeClientPoliciesPost, type ClientPoliciesResponse } from '../../shared/protocol/client-policies.js';
import { COMPUTER_TYPE_GUID } from '../../shared/protocol/guid.js';
import { encodeNse } from '../../shared/protocol/nse.js';
import type { XmlElement } from '../../shared/protocol/xml.js';

export const AGENT_VERSION = '7.6.1645';
/** "Basic Inventory Capture Item", the public `to` of basic/custom inventory NSEs. */
export const BASIC_INVENTORY_ITEM = '{1592B913-72F3-4C36-91D2-D4EDA21D2F96}';
/** Software delivery status events go to this lab item (smp-lab; the real GUID is not public). */
export const SWD_STATUS_ITEM = '{6C2D5B62-1F7A-4C55-9E0B-7B4F2A1C9D30}';

/** Data classes of basic inventory (public names; the GUIDs are smp-lab's, as in the notes §5.3). */
export const BASIC_INVENTORY_CLASSES = {
  identification: '9ED606E2-8080-4D39-A394-E2CD07D4C8FF', // AeX AC Identification
  clientAgent: '4C6D2E0B-6B0F-4E2B-8F1E-2B1A3C4D5E60', // AeX AC Client Agent
  tcpip: '5B1D6F2A-7C3E-4A8B-9D0F-3E2A1B4C5D71', // AeX AC TCPIP
  location: '6A2E7F3B-8D4F-4B9C-AE1F-4F3B2C5D6E82', // AeX AC Location
} as const;

export function createResourceBody(id: AgentIdentity, policyKey: string): string {
  return encodeCreateResourceRequest({
    guid: id.guid, name: id.name, policyKey, regRequest: { guid: id.guid, state: 'new' }, rekeySignature: null,
    keys: [
      { type: 'name.domain', value: `${id.name}.${id.domain}` },
      { type: 'fqdn', value: id.fqdn },
      { type: 'uniqueid', value: id.guid.replace(/-/g, '').toLowerCase() + id.mac.replace(/-/g, '').toLowerCase() },
    ],
  });
}

export function basicInventoryBody(id: AgentIdentity, guid: string): string {
  const ref = '0';
  const row = (columns: string[]) => ({ resourceRef: ref, columns });
  return encodeNse({
    to: BASIC_INVENTORY_ITEM, priority: 1, msgId: randomUUID().toUpperCase(), kind: 'inventory',
    inventory: {
      resources: [{ ref, typeGuid: COMPUTER_TYPE_GUID, name: id.name, guid }],
      classes: [
        { id: `{${BASIC_INVENTORY_CLASSES.identification}}`, rows: [row([id.name, id.domain, id.fqdn, id.os.name, id.os.version])] },
        { id: `{${BASIC_INVENTORY_CLASSES.clientAgent}}`, rows: [row(['Altiris Agent', AGENT_VERSION, id.os.family])] },
        { id: `{${BASIC_INVENTORY_CLASSES.tcpip}}`, rows: [row([id.ip, '255.0.0.0', id.mac, id.fqdn])] },
        { id: `{${BASIC_INVENTORY_CLASSES.location}}`, rows: [row(['smp-lab', 'loopback'])] },
      ],
    },
  });
}

/** Data class of the software delivery download status row (smp-lab 1; docs/protocol.md §1.9). */
export const SWD_DOWNLOAD_STATUS_CLASS = '{0E7B3C59-2D84-4F61-B7A0-5C9E1D3F6A28}';

export type DownloadStatus = 'started' | 'complete' | 'failed';

export interface DownloadStatusRow {
  readonly packageGuid: string;
  readonly version: number;
  readonly status: DownloadStatus;
  /** Site server name and folder URL of the codebase used (empty when none was tried). */
  readonly server: string;
  readonly url: string;
  readonly bytes: number;
  readonly ms: number;
  /** Why it failed (an outcome kind and a short text); empty otherwise. */
  readonly reason: string;
}

/** A download status NSE (smp-lab 1): one row of SWD_DOWNLOAD_STATUS_CLASS, sent to SWD_STATUS_ITEM. */
export function packageStatusBody(id: AgentIdentity, guid: string, r: DownloadStatusRow): string {
  return encodeNse({
    to: SWD_STATUS_ITEM, priority: 2, msgId: randomUUID().toUpperCase(), kind: 'inventory',
    inventory: {
      resources: [{ ref: '0', typeGuid: COMPUTER_TYPE_GUID, name: id.name, guid }],
      classes: [{ id: SWD_DOWNLOAD_STATUS_CLASS, rows: [{ resourceRef: '0', columns: [
        `{${r.packageGuid}}`, String(r.version), r.status, r.server, r.url, String(r.bytes), String(Math.round(r.ms)),
        r.reason.slice(0, 200), new Date().toISOString(),
      ] }] }],
    },
  });
}

export function clientPoliciesBody(guid: string, hash: string | null): string {
  return encodeClientPoliciesPost({ guid, typeGuid: COMPUTER_TYPE_GUID, configVersion: '2', secured: false, compress: false, hash, wrkstaName: null });
}

export interface AgentSettings {
  /** Configuration request interval, ms (null when the policy does not say). */
  configIntervalMs: number | null;
  inventoryIntervalMs: number | null;
  /** Packages of software delivery policies: GUID and the lowest version wanted (0: any). */
  packages: WantedPackage[];
}

export interface WantedPackage {
  readonly guid: string;
  readonly version: number;
  /** The policy's StatusEventsEnabled: post download status NSEs for this package. */
  readonly statusEvents: boolean;
}

const UNIT_MS: Record<string, number> = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

function intervalOf(el: XmlElement | undefined): number | null {
  const n = Number(el?.attrs?.['interval']);
  if (!Number.isFinite(n) || n <= 0) return null;
  return n * (UNIT_MS[(el?.attrs?.['units'] ?? 'minutes').toLowerCase()] ?? 60_000);
}

function* walk(els: readonly XmlElement[]): Generator<XmlElement> {
  for (const e of els) {
    yield e;
    if (e.children) yield* walk(e.children);
  }
}

/** Reads the settings the simulator acts on from a decoded policy answer. */
export function settingsOf(r: ClientPoliciesResponse): AgentSettings {
  const s: AgentSettings = { configIntervalMs: null, inventoryIntervalMs: null, packages: [] };
  for (const p of r.policies) {
    for (const cp of p.clientPolicies) {
      for (const el of walk(cp.content)) {
        if (cp.agentClsid === 'Altiris.AeXNSClientConfigUpdate' && el.name === 'ConfigurationRequest') s.configIntervalMs = intervalOf(el);
        if (cp.agentClsid === 'Altiris.AeXNSClientConfigUpdate' && el.name === 'BasicInventory') s.inventoryIntervalMs = intervalOf(el);
        if (cp.agentClsid === 'Altiris.SWD' && el.name === 'SoftPkg') {
          const id = el.attrs?.['Id'];
          const v = Number(el.attrs?.['InternalVersion'] ?? el.attrs?.['Version']);
          const guid = id?.replace(/[{}]/g, '').toUpperCase();
          if (guid && /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/.test(guid) && !s.packages.some((p) => p.guid === guid)) {
            s.packages.push({ guid, version: Number.isSafeInteger(v) && v > 0 ? v : 0,
              statusEvents: (el.attrs?.['StatusEventsEnabled'] ?? 'True').toLowerCase() !== 'false' });
          }
        }
      }
    }
  }
  return s;
}

export { decodeClientPoliciesResponse };
