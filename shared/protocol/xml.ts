// The one XML reader and writer of the SMP codecs: fast-xml-parser with bounds (size, nesting, no
// DTD, no entity expansion beyond the five built-ins) and an escaping writer for element trees.
// Never returns a partial document: well-formed input gives a tree, anything else a BAD_XML error.
// The plain subset agents send on every check-in takes a fast path (xml-plain.ts) to the same tree.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { smpError } from '../errors.js';
import { parsePlainXml, tooManyAttributes } from './xml-plain.js';

/** An element as policies and codecs hold it: attributes, children and optional text. */
export interface XmlElement {
  readonly name: string;
  readonly attrs?: Readonly<Record<string, string>>;
  /** Attribute names whose values are secret: sent only inside a secured (encrypted) policy. */
  readonly secure?: readonly string[];
  readonly children?: readonly XmlElement[];
  readonly text?: string;
}

export interface XmlLimits {
  /** Largest document in bytes (UTF-8). */
  readonly maxBytes: number;
  /** Deepest element nesting. */
  readonly maxDepth: number;
  /** Most attributes on one element (default MAX_ATTRIBUTES): more is 413, in time linear in the input. */
  readonly maxAttributes?: number;
}

export const MAX_ATTRIBUTES = 4096;

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 1024 * 1024, maxDepth: 32 };

/** A parsed node in fast-xml-parser's preserveOrder shape, narrowed once here. */
export interface XmlNode {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
  readonly text: string;
}

const parser = (maxDepth: number) => new XMLParser({
  preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', allowBooleanAttributes: false,
  parseAttributeValue: false, parseTagValue: false, trimValues: true, processEntities: true, htmlEntities: false,
  ignoreDeclaration: true, ignorePiTags: true, maxNestedTags: maxDepth,
});
const parsers = new Map<number, XMLParser>();

/** Parses a document and returns its root element. */
export function parseXml(input: string | Buffer, limits: XmlLimits = DEFAULT_XML_LIMITS, what = 'XML'): XmlNode {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > limits.maxBytes) {
    throw smpError('TOO_LARGE', `${what} is ${size} bytes; at most ${limits.maxBytes} are accepted`, { size, limit: limits.maxBytes });
  }
  const text = typeof input === 'string' ? input : decodeUtf8(input, what);
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw smpError('BAD_XML', `${what}: DTDs and entity declarations are not accepted`);
  const maxAttributes = limits.maxAttributes ?? MAX_ATTRIBUTES;
  const plain = parsePlainXml(text, limits.maxDepth, maxAttributes);
  if (plain !== null) return plain;
  // The library spends about 50 µs an attribute: count them first, in one pass.
  if (attributesBound(text, maxAttributes) > maxAttributes) throw tooManyAttributes(maxAttributes);
  const root = parseXmlText(text, limits.maxDepth, what);
  if (mostAttributes(root) > maxAttributes) throw tooManyAttributes(maxAttributes);
  return root;
}

/** The library path alone, for decoded text (parseXml uses it for all but the plain subset). */
export function parseXmlText(text: string, maxDepth: number, what = 'XML'): XmlNode {
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    throw smpError('BAD_XML', `${what} is not well-formed: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`,
      { line: valid.err.line, col: valid.err.col });
  }
  let p = parsers.get(maxDepth);
  if (p === undefined) parsers.set(maxDepth, (p = parser(maxDepth)));
  let raw: unknown;
  try {
    raw = p.parse(text);
  } catch (err) {
    throw smpError('BAD_XML', `${what} is not accepted: ${(err as Error).message}`, {}, err);
  }
  const roots = toNodes(raw).filter((n) => n.name !== '#text');
  if (roots.length !== 1) throw smpError('BAD_XML', `${what} must have exactly one root element, found ${roots.length}`);
  return roots[0]!;
}

/**
 * The most `=` signs outside quotes within one tag, skipping comments, CDATA and processing
 * instructions: exactly the most attributes of an element for well-formed text. Stops past `stop`.
 */
function attributesBound(text: string, stop: number): number {
  let most = 0;
  let i = text.indexOf('<');
  while (i >= 0 && i < text.length) {
    const skip = text.startsWith('<!--', i) ? '-->' : text.startsWith('<![CDATA[', i) ? ']]>' : text.startsWith('<?', i) ? '?>' : null;
    if (skip !== null) {
      const end = text.indexOf(skip, i + 2);
      if (end < 0) break;
      i = text.indexOf('<', end + skip.length);
      continue;
    }
    let count = 0;
    let quote = 0;
    let j = i + 1;
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === 34 || c === 39) quote = c;
      else if (c === 61 /* = */) count++;
      else if (c === 62 /* > */) break;
    }
    if (count > most && (most = count) > stop) return most;
    i = text.indexOf('<', j);
  }
  return most;
}

/** The most attributes of any element of the tree (the authority after the scan's estimate). */
function mostAttributes(node: XmlNode): number {
  let most = Object.keys(node.attrs).length;
  for (const c of node.children) most = Math.max(most, mostAttributes(c));
  return most;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decodeUtf8(buf: Buffer, what: string): string {
  try {
    return UTF8.decode(buf);
  } catch {
    throw smpError('BAD_INPUT', `${what} is not valid UTF-8`);
  }
}

function toNodes(raw: unknown): XmlNode[] {
  if (!Array.isArray(raw)) return [];
  const out: XmlNode[] = [];
  for (const item of raw as Record<string, unknown>[]) {
    let name = '';
    let kids: unknown = [];
    for (const k of Object.keys(item)) {
      if (k === ':@') continue;
      name = k;
      kids = item[k];
    }
    const attrs = (item[':@'] ?? {}) as Record<string, string>;
    if (name === '#text') {
      out.push({ name, attrs: {}, children: [], text: String(kids) });
      continue;
    }
    const children = toNodes(kids);
    const text = children.filter((c) => c.name === '#text').map((c) => c.text).join('');
    out.push({ name, attrs, children: children.filter((c) => c.name !== '#text'), text });
  }
  return out;
}

/** Case-insensitive attribute read (IIS pages are lenient about case; agents vary). */
export function attr(node: XmlNode, name: string): string | undefined {
  const direct = node.attrs[name];
  if (direct !== undefined) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(node.attrs)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export function child(node: XmlNode, name: string): XmlNode | undefined {
  const lower = name.toLowerCase();
  return node.children.find((c) => c.name.toLowerCase() === lower);
}

export function children(node: XmlNode, name: string): XmlNode[] {
  const lower = name.toLowerCase();
  return node.children.filter((c) => c.name.toLowerCase() === lower);
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]!);

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;
export const isXmlName = (s: string): boolean => NAME.test(s);

/** Writes an element; secure attribute values are written only when `withSecrets` is set. */
export function renderElement(el: XmlElement, withSecrets: boolean): string {
  let out = `<${el.name}`;
  const secure = el.secure ?? [];
  for (const [k, v] of Object.entries(el.attrs ?? {})) {
    if (secure.includes(k)) {
      out += withSecrets ? ` ${k}="${escapeXml(v)}" ${k}_SecureAttribute="secured"` : ` ${k}="" ${k}_SecureAttribute="withheld"`;
    } else out += ` ${k}="${escapeXml(v)}"`;
  }
  const kids = el.children ?? [];
  if (kids.length === 0 && (el.text === undefined || el.text === '')) return `${out}/>`;
  out += '>';
  if (el.text !== undefined) out += escapeXml(el.text);
  for (const c of kids) out += renderElement(c, withSecrets);
  return `${out}</${el.name}>`;
}
