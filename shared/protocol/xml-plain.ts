// A fast reader for the plain subset of XML that SMP agents send on every check-in: elements with
// ASCII names, quoted attribute values and text, with no entities, comments, CDATA, processing
// instructions (other than one leading declaration) or DTD. It returns null for anything outside
// that subset, and parseXml (xml.ts) hands such input to fast-xml-parser, which stays the authority
// for every error message and every other document. It never accepts input the library refuses,
// and gives the same tree for what it accepts (checked by a differential test).
import { smpError } from '../errors.js';
import type { XmlNode } from './xml.js';

/** Optional `<?xml version="1.0" encoding="utf-8"?>` (attribute values plain) at the very start. */
const DECLARATION = /^<\?xml(?:[ \t\r\n]+[A-Za-z]+[ \t\r\n]*=[ \t\r\n]*(?:"[^"<&?]*"|'[^'<&?]*'))*[ \t\r\n]*\?>/y;
/** `<name`; then attributes one at a time (a repeated group in one regex overflows the stack on many), then `>` or `/>`. */
const OPEN = /<([A-Za-z_][A-Za-z0-9_.:-]*)/y;
const ATTR = /[ \t\r\n]+([A-Za-z_][A-Za-z0-9_.:-]*)[ \t\r\n]*=[ \t\r\n]*(?:"([^"<&]*)"|'([^'<&]*)')/y;
const OPEN_END = /[ \t\r\n]*(\/?)>/y;
const CLOSE = /<\/([A-Za-z_][A-Za-z0-9_.:-]*)[ \t\r\n]*>/y;
/** Text up to the next tag; `&` (an entity) or `>` (possibly `]]>`) ends the fast path. */
const TEXT = /[^<&>]+/y;
const SPACE = /^[ \t\r\n]*$/;
/** Characters XML 1.0 forbids anywhere in a document (C0 controls other than tab, CR, LF, and U+FFFE/FFFF). */
// eslint-disable-next-line no-control-regex -- these are exactly the characters to find
const FORBIDDEN = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

interface Open { name: string; attrs: Record<string, string>; children: XmlNode[]; text: string }

/** The attributes from `at` to the end of the start tag, or null when they leave the plain subset. */
function attributes(text: string, at: number, maxAttributes: number): { attrs: Record<string, string>; end: number } | null {
  const attrs: Record<string, string> = {};
  let count = 0;
  ATTR.lastIndex = at;
  let m: RegExpExecArray | null;
  while ((m = ATTR.exec(text)) !== null) {
    const name = m[1]!;
    if (Object.hasOwn(attrs, name)) return null; // duplicate: the library words the error
    if (++count > maxAttributes) throw tooManyAttributes(maxAttributes);
    attrs[name] = (m[2] ?? m[3]!).trim();
    at = ATTR.lastIndex;
  }
  return { attrs, end: at };
}

export function tooManyAttributes(maxAttributes: number): Error {
  return smpError('TOO_LARGE', `an element has more than ${maxAttributes} attributes`, { limit: maxAttributes });
}

/** The root element of `text`, or null when the document is outside the plain subset (or malformed). */
export function parsePlainXml(text: string, maxDepth: number, maxAttributes: number): XmlNode | null {
  if (FORBIDDEN.test(text)) return null;
  let at = 0;
  DECLARATION.lastIndex = 0;
  if (DECLARATION.test(text)) at = DECLARATION.lastIndex;
  const stack: Open[] = [];
  let root: XmlNode | null = null;
  while (at < text.length) {
    if (text.charCodeAt(at) !== 60 /* < */) {
      TEXT.lastIndex = at;
      if (!TEXT.test(text)) return null;
      const chunk = text.slice(at, TEXT.lastIndex);
      at = TEXT.lastIndex;
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (!SPACE.test(chunk)) return null; // text outside the root element
      } else top.text += chunk.trim();
      continue;
    }
    if (text.charCodeAt(at + 1) === 47 /* / */) {
      CLOSE.lastIndex = at;
      const m = CLOSE.exec(text);
      const top = stack.pop();
      if (m === null || top === undefined || m[1] !== top.name) return null;
      at = CLOSE.lastIndex;
      const node: XmlNode = top;
      const parent = stack[stack.length - 1];
      if (parent === undefined) root = node;
      else parent.children.push(node);
      continue;
    }
    if (root !== null) return null; // a second root, or markup after the root
    OPEN.lastIndex = at;
    const m = OPEN.exec(text);
    if (m === null) return null; // comment, CDATA, PI, DTD, or malformed
    const a = attributes(text, OPEN.lastIndex, maxAttributes);
    if (a === null) return null;
    OPEN_END.lastIndex = a.end;
    const end = OPEN_END.exec(text);
    if (end === null || stack.length + 1 >= maxDepth) return null; // malformed; the library words depth errors
    at = OPEN_END.lastIndex;
    const el: Open = { name: m[1]!, attrs: a.attrs, children: [], text: '' };
    if (end[1] === '/') {
      const parent = stack[stack.length - 1];
      if (parent === undefined) root = el;
      else parent.children.push(el);
    } else stack.push(el);
  }
  return stack.length === 0 ? root : null;
}
