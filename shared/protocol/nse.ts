// NSE (Notification Server Event) messages posted to PostEvent.aspx/.asp. Public vocabulary:
// `<message><to/><body><inventory><resources><resource ref typeGuid name guid/></resources>
// <inventoryClass guid><data><resource resourceRef><row c0 c1 .../></resource></data></inventoryClass>`.
// `<priority>` and `<msgId>` are smp-lab names for the envelope fields the public record does not name.
import { smpError } from '../errors.js';
import { braced, parseGuid } from './guid.js';
import { attr, child, children, escapeXml, parseXml, type XmlLimits, type XmlNode } from './xml.js';

export interface NseResource {
  readonly ref: string;
  readonly typeGuid: string | null;
  readonly name: string | null;
  readonly guid: string | null;
}

export interface NseRow {
  readonly resourceRef: string;
  /** c0, c1, ... in column order. */
  readonly columns: readonly string[];
}

export interface NseClass {
  /** Data class GUID (Windows agents) or name (UNIX/Linux/Mac agents). */
  readonly id: string;
  readonly rows: readonly NseRow[];
}

export interface NseMessage {
  /** GUID or alias of the server-side item that consumes the event. */
  readonly to: string;
  readonly priority: number | null;
  readonly msgId: string | null;
  /** Name of the first element inside <body> (e.g. `inventory`). */
  readonly kind: string;
  readonly inventory: { readonly resources: readonly NseResource[]; readonly classes: readonly NseClass[] } | null;
}

export interface NseLimits extends XmlLimits {
  readonly maxRows: number;
  readonly maxColumns: number;
}

export const DEFAULT_NSE_LIMITS: NseLimits = { maxBytes: 64 * 1024 * 1024, maxDepth: 32, maxRows: 1_000_000, maxColumns: 512 };
const COLUMN = /^c(\d{1,3})$/;

export function decodeNse(body: string | Buffer, limits: NseLimits = DEFAULT_NSE_LIMITS): NseMessage {
  const root = parseXml(body, limits, 'NSE');
  if (root.name.toLowerCase() !== 'message') throw smpError('BAD_XML', `an NSE is a <message>, got <${root.name}>`);
  const to = child(root, 'to')?.text.trim();
  if (!to) throw smpError('MISSING_PARAMETER', 'NSE has no <to> naming the item that consumes it');
  if (to.length > 255) throw smpError('BAD_INPUT', 'NSE <to> is longer than 255 characters');
  const bodyNode = child(root, 'body');
  if (bodyNode === undefined) throw smpError('MISSING_PARAMETER', 'NSE has no <body>');
  const first = bodyNode.children[0];
  const priorityText = child(root, 'priority')?.text.trim();
  const priority = priorityText === undefined || priorityText === '' ? null : Number(priorityText);
  if (priority !== null && (!Number.isInteger(priority) || priority < 0 || priority > 100)) throw smpError('BAD_INPUT', 'NSE <priority> must be an integer 0-100');
  const msgIdText = child(root, 'msgId')?.text.trim();
  const inv = child(bodyNode, 'inventory');
  return {
    to, priority, msgId: msgIdText ? parseGuid(msgIdText, 'msgId') : null, kind: first?.name ?? '',
    inventory: inv ? decodeInventory(inv, limits) : null,
  };
}

function decodeInventory(inv: XmlNode, limits: NseLimits): NonNullable<NseMessage['inventory']> {
  const resources = children(child(inv, 'resources') ?? inv, 'resource').map((r): NseResource => {
    const guid = attr(r, 'guid');
    const typeGuid = attr(r, 'typeGuid');
    return { ref: attr(r, 'ref') ?? '', name: attr(r, 'name') ?? null,
      guid: guid ? parseGuid(guid, 'resource guid') : null, typeGuid: typeGuid ? parseGuid(typeGuid, 'typeGuid') : null };
  });
  let rowCount = 0;
  const classes = children(inv, 'inventoryClass').map((c): NseClass => {
    const id = attr(c, 'guid') ?? attr(c, 'name');
    if (!id) throw smpError('BAD_INPUT', 'inventoryClass needs a guid (or a name for UNIX/Linux/Mac agents)');
    const rows: NseRow[] = [];
    for (const res of children(child(c, 'data') ?? c, 'resource')) {
      for (const row of children(res, 'row')) {
        rowCount += 1;
        if (rowCount > limits.maxRows) throw smpError('TOO_LARGE', `NSE has more than ${limits.maxRows} rows`);
        rows.push({ resourceRef: attr(res, 'resourceRef') ?? '', columns: columnsOf(row, limits.maxColumns) });
      }
    }
    return { id, rows };
  });
  return { resources, classes };
}

function columnsOf(row: XmlNode, max: number): string[] {
  const cols: string[] = [];
  for (const [k, v] of Object.entries(row.attrs)) {
    const m = COLUMN.exec(k);
    if (!m) continue;
    const i = Number(m[1]);
    if (i >= max) throw smpError('BAD_INPUT', `row column ${k} is beyond the ${max}-column limit`);
    cols[i] = v;
  }
  for (let i = 0; i < cols.length; i += 1) cols[i] ??= '';
  return cols;
}

export function encodeNse(m: NseMessage): string {
  let out = `<message><to>${escapeXml(m.to)}</to>`;
  if (m.priority !== null) out += `<priority>${m.priority}</priority>`;
  if (m.msgId !== null) out += `<msgId>${braced(m.msgId)}</msgId>`;
  out += '<body>';
  if (m.inventory) {
    out += '<inventory><resources>';
    for (const r of m.inventory.resources) {
      out += `<resource ref="${escapeXml(r.ref)}"`;
      if (r.typeGuid) out += ` typeGuid="${braced(r.typeGuid)}"`;
      if (r.name !== null) out += ` name="${escapeXml(r.name)}"`;
      if (r.guid) out += ` guid="${braced(r.guid)}"`;
      out += '/>';
    }
    out += '</resources>';
    for (const c of m.inventory.classes) {
      out += `<inventoryClass guid="${escapeXml(c.id)}"><data>`;
      const byRef = new Map<string, NseRow[]>();
      for (const r of c.rows) byRef.set(r.resourceRef, [...(byRef.get(r.resourceRef) ?? []), r]);
      for (const [ref, rows] of byRef) {
        out += `<resource resourceRef="${escapeXml(ref)}">`;
        for (const r of rows) out += `<row${r.columns.map((v, i) => ` c${i}="${escapeXml(v)}"`).join('')}/>`;
        out += '</resource>';
      }
      out += '</data></inventoryClass>';
    }
    out += '</inventory>';
  } else if (m.kind) out += `<${m.kind}/>`;
  return `${out}</body></message>`;
}
