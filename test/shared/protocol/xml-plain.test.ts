// The plain-subset fast path against the library: whatever the fast path accepts, fast-xml-parser
// accepts too and gives the same tree; whatever is outside the subset is left to the library.
import t from 'tap';
import { parsePlainXml } from '../../../shared/protocol/xml-plain.js';
import { parseXml, parseXmlText, type XmlNode } from '../../../shared/protocol/xml.js';

const DEPTH = 8;
const library = (text: string): XmlNode | Error => {
  try {
    return parseXmlText(text, DEPTH);
  } catch (err) {
    return err as Error;
  }
};

t.test('documents agents send take the fast path and equal the library tree', async (t) => {
  const docs = [
    '<request configVersion="2" securedPolicy="0"><resources><resource required="true" host="true" guid="{5E907B11-576A-4EDA-AD43-C8C7DEAD5E0B}"/></resources></request>',
    '<?xml version="1.0" encoding="utf-8"?>\r\n<message>\n  <to>{1592B913-72F3-4C36-91D2-D4EDA21D2F96}</to>\n  <body><inventory><c0>a b</c0><c1 x=\'1\'>2</c1></inventory></body>\n</message>\n',
    '<a> x <b/> y </a>', '<a x=" padded "  y = "2" ></a >', '<r>caf\u00e9 \u2603</r>', '<a/>',
  ];
  for (const d of docs) {
    const fast = parsePlainXml(d, DEPTH, 4096);
    t.not(fast, null, `fast path takes ${d.slice(0, 40)}`);
    t.strictSame(fast, library(d), `same tree for ${d.slice(0, 40)}`);
    t.strictSame(parseXml(d, { maxBytes: 1 << 20, maxDepth: DEPTH }), library(d));
  }
});

t.test('anything outside the subset is left to the library, which keeps its answer and its errors', async (t) => {
  const docs = [
    '<a>1 &gt; 2</a>', '<a x="&amp;"/>', '<a><!-- c --></a>', '<a><![CDATA[x]]></a>', '<a><?pi x?></a>',
    '<a x="1" x="2"/>', '<a><b></a>', '<a>', '<a/><b/>', 'text<a/>', '<a/>tail', '<a>1 > 2</a>', '<a>\u0001</a>',
    '<a x="1"y="2"/>', '<a x/>', '<1a/>', '', '   ', '<a></b>', '</a>', '<a b="<"/>',
    '<a><b><c><d><e><f><g><h><i/></h></g></f></e></d></c></b></a>',
  ];
  for (const d of docs) {
    t.equal(parsePlainXml(d, DEPTH, 4096), null, `fast path declines ${JSON.stringify(d)}`);
    const lib = library(d);
    let got: XmlNode | Error;
    try {
      got = parseXml(d, { maxBytes: 1 << 20, maxDepth: DEPTH });
    } catch (err) {
      got = err as Error;
    }
    if (lib instanceof Error) t.equal((got as Error).message, lib.message, `same error for ${JSON.stringify(d)}`);
    else t.strictSame(got, lib, `same tree for ${JSON.stringify(d)}`);
  }
});

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('random and mutated documents: the fast path never disagrees with the library', async (t) => {
  const r = rng(52028);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const names = ['a', 'b', 'resource', 'c0', 'x:y', '_n', 'A.b-c'];
  const space = () => pick(['', ' ', '  ', '\n', '\t', '\r\n ']);
  const value = () => pick(['', '1', ' x ', 'a b', '{GUID}', 'caf\u00e9', '&amp;', '<', '>', "'", '"', '\t']);
  const text = () => pick(['', 'x', ' y ', '\n  ', 'a&lt;b', '1>2', ']]>', '\u00e9t\u00e9']);
  const element = (depth: number): string => {
    const name = pick(names);
    let open = `<${name}`;
    const n = Math.floor(r() * 3);
    for (let i = 0; i < n; i += 1) {
      const q = pick(['"', "'"]);
      open += ` ${pick(names)}${space()}=${space()}${q}${value().replaceAll(q, '')}${q}`;
    }
    open += space();
    if (depth > 9 || r() < 0.3) return `${open}/>`;
    let inner = text();
    const kids = Math.floor(r() * 3);
    for (let i = 0; i < kids; i += 1) inner += element(depth + 1) + text();
    return `${open}>${inner}</${name}${space()}>`;
  };
  const mutate = (s: string): string => {
    const i = Math.floor(r() * (s.length + 1));
    const op = r();
    if (op < 0.33) return s.slice(0, i) + s.slice(i + 1);
    if (op < 0.66) return s.slice(0, i) + pick(['<', '>', '/', '"', '=', ' ', 'a', '&', '!']) + s.slice(i);
    return s.slice(0, i) + pick(['<', '>', '/', '"', '=', ' ', 'a', '&', '!']) + s.slice(i + 1);
  };
  let accepted = 0;
  let mismatches = 0;
  for (let i = 0; i < 4000; i += 1) {
    let doc = (r() < 0.2 ? '<?xml version="1.0"?>' : '') + space() + element(1) + space();
    if (r() < 0.5) doc = mutate(doc);
    const fast = parsePlainXml(doc, DEPTH, 4096);
    if (fast === null) continue;
    accepted += 1;
    const lib = library(doc);
    if (lib instanceof Error || JSON.stringify(lib) !== JSON.stringify(fast)) {
      mismatches += 1;
      t.fail(`fast path disagrees on ${JSON.stringify(doc)}: ${lib instanceof Error ? lib.message : JSON.stringify(lib)}`);
    }
  }
  t.equal(mismatches, 0);
  t.ok(accepted > 800, `the fast path took ${accepted} of 4000 documents (the test must exercise it)`);
});
