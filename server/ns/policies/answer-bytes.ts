// The plain GetClientPolicies answer as bytes, built from two cached halves around the computer's
// GUID: the halves are rendered once per (policy hash, registration status, unchanged) by the codec
// itself, so the bytes are exactly wrapPoliciesResponse's. Never caches anything per computer.
import { braced } from '../../../shared/protocol/guid.js';
import { wrapPoliciesResponse } from '../../../shared/protocol/client-policies.js';
import type { RenderedPolicies } from './answers.js';

const PLACEHOLDER = '00000000-0000-0000-0000-000000000000';
/** Distinct (hash, status, unchanged) keys kept; policy changes add keys, so old ones are dropped. */
const MAX_KEYS = 64;

export class PlainAnswerBytes {
  private readonly halves = new Map<string, readonly [Buffer, Buffer]>();

  constructor(private readonly nsVersion: string) {}

  bytes(rendered: RenderedPolicies, guid: string, status: string, unchanged: boolean): Buffer {
    const key = `${rendered.hash}|${status}|${unchanged ? 1 : 0}`;
    let h = this.halves.get(key);
    if (h === undefined) {
      const xml = wrapPoliciesResponse({ nsVersion: this.nsVersion, hash: rendered.hash, guid: PLACEHOLDER, status }, unchanged ? null : rendered.plain);
      const cut = xml.indexOf(braced(PLACEHOLDER));
      h = [Buffer.from(xml.slice(0, cut)), Buffer.from(xml.slice(cut + braced(PLACEHOLDER).length))];
      if (this.halves.size >= MAX_KEYS) this.halves.clear();
      this.halves.set(key, h);
    }
    const id = braced(guid);
    const out = Buffer.allocUnsafe(h[0].length + id.length + h[1].length);
    h[0].copy(out, 0);
    out.write(id, h[0].length, 'latin1');
    h[1].copy(out, h[0].length + id.length);
    return out;
  }
}
