// What a `smp-lab` verb is: a name, its options (the single source for flags, env names, config-file
// keys and help) and a run function. Verbs parse and print; the work is done by the library they call.
import type { Writable } from 'node:stream';
import type { ConfigOf, OptionSpecs } from '../shared/config.js';

export interface VerbContext {
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGINT/SIGTERM: long-running verbs stop cleanly and return. */
  readonly signal: AbortSignal;
}

export interface Verb<S extends OptionSpecs = OptionSpecs> {
  readonly name: string;
  readonly summary: string;
  /** Usage line after `smp-lab NAME`, e.g. `[options] ID`. */
  readonly usage?: string;
  /** Longer help shown under the usage line. */
  readonly description?: string;
  readonly options: S;
  readonly positionals?: boolean;
  /** Returns the process exit code. */
  run(config: ConfigOf<S>, positionals: string[], ctx: VerbContext): Promise<number>;
}

export const defineVerb = <const S extends OptionSpecs>(v: Verb<S>): Verb<S> => v;
