// Which policies a computer gets and their rendered forms, cached per policy revision: rendering
// and hashing happen once per change, not once per check-in. Every allowed resource gets every
// enabled policy (the lab has one target: all computers); pending ones get none.
import { createHash } from 'node:crypto';
import { renderPolicies, type PolicyEntry } from '../../../shared/protocol/client-policies.js';
import type { PolicyTable } from '../store/policies.js';

export interface RenderedPolicies {
  /** Without secure attribute values (plain and compressed answers). */
  readonly plain: string;
  /** With secure attribute values (only ever sent inside a secured envelope). */
  readonly secured: string;
  /** Agents send it back as Hash; equal -> short answer. */
  readonly hash: string;
}

const render = (entries: readonly PolicyEntry[]): RenderedPolicies => {
  const secured = renderPolicies(entries, true);
  return { plain: renderPolicies(entries, false), secured, hash: createHash('sha256').update(secured).digest('hex').toUpperCase() };
};

export const NO_POLICIES: RenderedPolicies = render([]);

export class PolicyAnswers {
  private revision = -1;
  private current: RenderedPolicies = NO_POLICIES;

  constructor(private readonly table: PolicyTable) {}

  forAllowed(): RenderedPolicies {
    if (this.revision !== this.table.revision) {
      const entries = this.table.list().filter((p) => p.enabled).map((p): PolicyEntry => ({
        guid: p.guid, name: p.name, version: String(p.version), clientPolicies: [{ agentClsid: p.agentClsid, content: p.content }],
      }));
      this.current = render(entries);
      this.revision = this.table.revision;
    }
    return this.current;
  }
}
