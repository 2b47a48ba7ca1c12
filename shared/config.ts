// Configuration in one place: each verb declares its options once (flag, type, default, help) and
// resolveConfig builds one typed object from flags > environment (SMP_LAB_*) > JSON config file >
// defaults. A bad value stops with one line naming the value and what is allowed (exit code 2).
// No other module reads process.env or process.argv.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ROLES, SYSTEMS, type Role, type SystemName } from './catalog-types.js';
import { configError, smpError } from './errors.js';
import { parseValue, type OptionType, type ValueOf } from './config-values.js';

export type { OptionType } from './config-values.js';

export interface OptionSpec {
  readonly type: OptionType;
  readonly help: string;
  /** Kebab-case flag name without dashes; derived from the key when absent. */
  readonly flag?: string;
  readonly short?: string;
  readonly default?: unknown;
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Placeholder shown in help (`--count N`). */
  readonly arg?: string;
  /** The flag may be given several times (values are collected). */
  readonly multiple?: boolean;
  /** Not read from the environment (e.g. secrets given on purpose only). */
  readonly noEnv?: boolean;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type HasDefault<S> = S extends { default: infer D } ? (D extends undefined ? false : true) : false;
export type ConfigOf<S extends OptionSpecs> = {
  -readonly [K in keyof S]: HasDefault<S[K]> extends true ? ValueOf<S[K]['type']> : ValueOf<S[K]['type']> | undefined;
};

export const defineOptions = <const S extends OptionSpecs>(s: S): S => s;

/** Options every verb has. */
export const COMMON_OPTIONS = defineOptions({
  config: { type: 'path', arg: 'FILE', help: 'JSON config file (flags > SMP_LAB_* env > file > defaults)', noEnv: false },
  logLevel: { type: 'enum', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info',
    arg: 'LEVEL', help: 'log level' },
});

/** Options of every verb that opens, sends to or prints ports. */
export const PORT_OPTIONS = defineOptions({
  portOffset: { type: 'int', min: 0, max: 65535, default: 0, arg: 'K',
    help: 'add K to every catalog port (e.g. 11000 to run without root)' },
  port: { type: 'port-overrides', multiple: true, arg: 'FLOW=PORT',
    help: 'override one flow\'s port (repeatable); flow ids from `smp-lab ports --format json`' },
});

export const flagOf = (key: string, s: OptionSpec): string => s.flag ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const envOf = (key: string): string => `SMP_LAB_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

export interface ConfigSources {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Name of the verb, for its section in the config file. */
  readonly verb: string;
  /** Config-file keys that other verbs own; accepted and ignored at the top level. */
  readonly otherKeys?: ReadonlySet<string>;
  /** Whether positionals are allowed (they are returned as `_`). */
  readonly positionals?: boolean;
}

export interface Resolved<S extends OptionSpecs> {
  readonly config: ConfigOf<S>;
  readonly positionals: string[];
  /** Where each value came from, for `--print-config`-style diagnostics and tests. */
  readonly origin: Record<string, 'flag' | 'env' | 'file' | 'default'>;
}

export function resolveConfig<S extends OptionSpecs>(specs: S, src: ConfigSources): Resolved<S> {
  const flags = parseFlags(specs, src);
  const fileValues = readConfigFile(specs, src, flags.values);
  const config: Record<string, unknown> = {};
  const origin: Record<string, 'flag' | 'env' | 'file' | 'default'> = {};
  for (const [key, s] of Object.entries(specs)) {
    const flag = flagOf(key, s);
    const fromFlag = flags.values[flag];
    const fromEnv = s.noEnv ? undefined : src.env[envOf(key)];
    if (fromFlag !== undefined) {
      config[key] = parseValue(`--${flag}`, fromFlag, s);
      origin[key] = 'flag';
    } else if (fromEnv !== undefined && fromEnv !== '') {
      config[key] = parseValue(envOf(key), s.multiple ? fromEnv.split(',') : fromEnv, s);
      origin[key] = 'env';
    } else if (fileValues[key] !== undefined) {
      config[key] = parseValue(`config file key "${key}"`, fileValues[key], s);
      origin[key] = 'file';
    } else {
      // Defaults are written as a user would write them (durations in seconds or '5m').
      config[key] = s.default === undefined ? undefined : parseValue(`default of --${flag}`, s.default, s);
      origin[key] = 'default';
    }
  }
  return { config: config as ConfigOf<S>, positionals: flags.positionals, origin };
}

function parseFlags(specs: OptionSpecs, src: ConfigSources) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [key, s] of Object.entries(specs)) {
    options[flagOf(key, s)] = {
      type: s.type === 'bool' ? 'boolean' : 'string',
      ...(s.short ? { short: s.short } : {}),
      ...(s.multiple ? { multiple: true } : {}),
    };
  }
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeValues(src.argv, options), options, strict: true, allowPositionals: src.positionals ?? false,
    });
    return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] ?? err.message : String(err);
    throw smpError('USAGE', `${msg}; see \`smp-lab ${src.verb} --help\``);
  }
}

/**
 * `--count -1`: parseArgs takes "-1" for a flag and calls the value ambiguous. A negative number after an
 * option that takes a value is that option's value, so the range check can name the option and its range.
 */
function joinNegativeValues(argv: readonly string[], options: Record<string, { type: 'string' | 'boolean' }>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a.startsWith('--') && !a.includes('=') && options[a.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

function readConfigFile(specs: OptionSpecs, src: ConfigSources, flagValues: Record<string, unknown>): Record<string, unknown> {
  const fromFlag = flagValues['config'];
  const path = typeof fromFlag === 'string' ? fromFlag : src.env[envOf('config')];
  if (path === undefined || path === '' || !('config' in specs)) return {};
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw configError('--config', path, `a readable JSON file (${why})`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw configError('--config', path, 'a JSON object of option keys');
  }
  const top = doc as Record<string, unknown>;
  const section = top[src.verb];
  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(top)) {
    if (k === src.verb) continue;
    if (k in specs) merged[k] = v;
    else if (!(src.otherKeys?.has(k) ?? false)) {
      throw configError(`config file key "${k}"`, v, `one of: ${Object.keys(specs).join(', ')} or a verb section`);
    }
  }
  if (section !== undefined) {
    if (section === null || typeof section !== 'object' || Array.isArray(section)) {
      throw configError(`config file section "${src.verb}"`, section, 'a JSON object of option keys');
    }
    for (const [k, v] of Object.entries(section)) {
      if (!(k in specs)) throw configError(`config file key "${src.verb}.${k}"`, v, `one of: ${Object.keys(specs).join(', ')}`);
      merged[k] = v;
    }
  }
  return merged;
}

export const isRole = (s: string): s is Role => (ROLES as readonly string[]).includes(s);
export const isSystem = (s: string): s is SystemName => (SYSTEMS as readonly string[]).includes(s);
