// The verb registry: one line a verb. Verb modules import their heavy dependencies lazily inside
// run(), so listing every verb here keeps `smp-lab --help` fast.
import type { Verb } from '../verb.js';
import { agentsVerb } from './agents.js';
import { certsVerb } from './certs.js';
import { deployVerb } from './deploy.js';
import { fleetVerb } from './fleet.js';
import { nsVerb } from './ns.js';
import { portsVerb } from './ports.js';
import { probeVerb } from './probe.js';
import { reportVerb } from './report.js';
import { respondVerb } from './respond.js';
import { tickleVerb } from './tickle.js';
import { upVerb } from './up.js';
import { verifyRulesVerb } from './verify-rules.js';
import { taskVerb } from './task.js';
import { tsVerb } from './ts.js';
import { wakeVerb } from './wake.js';

export const VERBS: readonly Verb[] = [
  portsVerb,
  certsVerb,
  fleetVerb,
  agentsVerb,
  reportVerb,
  upVerb,
  tickleVerb,
  wakeVerb,
  nsVerb,
  respondVerb,
  probeVerb,
  verifyRulesVerb,
  tsVerb,
  taskVerb,
  deployVerb,
] as unknown as readonly Verb[];

/** Config-file keys owned by the other verbs: accepted (and ignored) at the file's top level. */
export function otherConfigKeys(verb: string): ReadonlySet<string> {
  const keys = new Set<string>();
  for (const v of VERBS) {
    keys.add(v.name);
    if (v.name !== verb) for (const k of Object.keys(v.options)) keys.add(k);
  }
  return keys;
}
