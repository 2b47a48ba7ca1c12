// Checks a policy sent to the admin API: JSON in, a PolicyInput out or a BAD_INPUT error naming
// the field. Element trees are bounded (depth, node count, value sizes) and names are XML names.
import { smpError } from '../../../shared/errors.js';
import { isXmlName, type XmlElement } from '../../../shared/protocol/xml.js';
import type { PolicyInput } from '../store/policies.js';

const MAX_DEPTH = 16;
const MAX_NODES = 5000;
const MAX_VALUE = 16 * 1024;

const bad = (field: string, what: string) => smpError('BAD_INPUT', `policy ${field}: ${what}`, { field });
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parsePolicyInput(guid: string, body: unknown): PolicyInput {
  if (!isObject(body)) throw bad('body', 'expected a JSON object { name, enabled, agentClsid, content }');
  const { name, enabled, agentClsid, content } = body;
  if (typeof name !== 'string' || name.length === 0 || name.length > 255) throw bad('name', 'a string of 1-255 characters');
  if (enabled !== undefined && typeof enabled !== 'boolean') throw bad('enabled', 'true or false');
  if (typeof agentClsid !== 'string' || !/^[A-Za-z0-9_.{}-]{1,128}$/.test(agentClsid)) throw bad('agentClsid', 'an agent class id such as Altiris.ClientTaskAgent');
  if (!Array.isArray(content)) throw bad('content', 'an array of elements { name, attrs?, secure?, children?, text? }');
  const count = { n: 0 };
  return { guid, name, enabled: enabled ?? true, agentClsid, content: content.map((c, i) => element(c, `content[${i}]`, 1, count)) };
}

function element(v: unknown, path: string, depth: number, count: { n: number }): XmlElement {
  if (depth > MAX_DEPTH) throw bad(path, `elements nest deeper than ${MAX_DEPTH}`);
  if ((count.n += 1) > MAX_NODES) throw bad(path, `more than ${MAX_NODES} elements`);
  if (!isObject(v)) throw bad(path, 'an element object');
  if (typeof v.name !== 'string' || !isXmlName(v.name)) throw bad(`${path}.name`, 'an XML element name');
  const attrs: Record<string, string> = {};
  if (v.attrs !== undefined) {
    if (!isObject(v.attrs)) throw bad(`${path}.attrs`, 'an object of string values');
    for (const [k, val] of Object.entries(v.attrs)) {
      if (!isXmlName(k) || k.endsWith('_SecureAttribute')) throw bad(`${path}.attrs`, `${JSON.stringify(k)} is not an allowed attribute name`);
      if (typeof val !== 'string' || val.length > MAX_VALUE) throw bad(`${path}.attrs.${k}`, `a string of at most ${MAX_VALUE} characters`);
      attrs[k] = val;
    }
  }
  const secure = v.secure === undefined ? undefined : v.secure;
  if (secure !== undefined && (!Array.isArray(secure) || !secure.every((s) => typeof s === 'string' && s in attrs))) {
    throw bad(`${path}.secure`, 'a list of attribute names present in attrs');
  }
  if (v.text !== undefined && (typeof v.text !== 'string' || v.text.length > MAX_VALUE)) throw bad(`${path}.text`, 'a string');
  if (v.children !== undefined && !Array.isArray(v.children)) throw bad(`${path}.children`, 'an array of elements');
  const kids = (v.children as unknown[] | undefined ?? []).map((c, i) => element(c, `${path}.children[${i}]`, depth + 1, count));
  return {
    name: v.name, attrs, ...(secure ? { secure: secure as string[] } : {}), ...(kids.length ? { children: kids } : {}),
    ...(typeof v.text === 'string' ? { text: v.text } : {}),
  };
}
