// The resolved port map: the catalog after `--port-offset` and per-flow overrides, made once at
// start and passed to every listener, sender, probe and rule generator. Nothing downstream adds
// offsets again or reads the raw catalog for a port number.
import { CATALOG } from './catalog.js';
import type { Flow, ResolvedFlow, Role, SystemName } from './catalog-types.js';
import { configError, smpError } from './errors.js';

export interface PortOverrides {
  /** Added to every flow's default port (not to ICMP and portless rows). */
  readonly offset?: number;
  /** Flow id -> port; wins over the offset for that flow. */
  readonly perFlow?: Readonly<Record<string, number>>;
}

export class PortMap {
  readonly flows: readonly ResolvedFlow[];
  readonly offset: number;
  private readonly byId: ReadonlyMap<string, ResolvedFlow>;

  constructor(flows: readonly ResolvedFlow[], offset: number) {
    this.flows = flows;
    this.offset = offset;
    this.byId = new Map(flows.map((f) => [f.id, f]));
  }

  /** The flow with this id; an unknown id is a programming error, not user input. */
  flow(id: string): ResolvedFlow {
    const f = this.byId.get(id);
    if (f === undefined) throw smpError('INTERNAL', `unknown flow id ${id}`);
    return f;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The port in force for a flow that has one. */
  port(id: string): number {
    const p = this.flow(id).port;
    if (p === null) throw smpError('INTERNAL', `flow ${id} has no port`);
    return p;
  }

  select(filter: FlowFilter = {}): ResolvedFlow[] {
    return this.flows.filter((f) => matches(f, filter));
  }
}

export interface FlowFilter {
  /** Flows this role takes part in (as initiator or listener). */
  readonly roles?: readonly Role[];
  readonly systems?: readonly SystemName[];
  readonly initiator?: readonly Role[];
  readonly listener?: readonly Role[];
}

function matches(f: Flow, filter: FlowFilter): boolean {
  if (filter.roles && !filter.roles.some((r) => r === f.initiator || r === f.listener)) return false;
  if (filter.systems && !filter.systems.includes(f.system)) return false;
  if (filter.initiator && !filter.initiator.includes(f.initiator)) return false;
  if (filter.listener && !filter.listener.includes(f.listener)) return false;
  return true;
}

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

export function isPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= MIN_PORT && n <= MAX_PORT;
}

/** Apply overrides to the catalog once; every bad value is a config error naming it. */
export function resolvePorts(overrides: PortOverrides = {}, catalog: readonly Flow[] = CATALOG): PortMap {
  const offset = overrides.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_PORT) {
    throw configError('port offset', offset, `an integer from 0 to ${MAX_PORT}`);
  }
  const perFlow = overrides.perFlow ?? {};
  const known = new Set(catalog.map((f) => f.id));
  for (const [id, port] of Object.entries(perFlow)) {
    if (!known.has(id)) throw configError('port override', id, 'a flow id from `smp-lab ports --format json`');
    if (!isPort(port)) throw configError(`port override ${id}`, port, `a port from ${MIN_PORT} to ${MAX_PORT}`);
  }
  const flows = catalog.map((f): ResolvedFlow => {
    if (f.port === null) return { ...f, defaultPort: null };
    const explicit = perFlow[f.id];
    const port = explicit ?? f.port + offset;
    if (!isPort(port)) {
      const largest = MAX_PORT - Math.max(...catalog.filter((c) => c.port !== null && perFlow[c.id] === undefined).map((c) => c.port ?? 0));
      throw configError('--port-offset', offset,
        `an offset from 0 to ${largest} (${f.id} is ${f.port}; ${f.port} + offset must stay at or below ${MAX_PORT}; ` +
        `or move ${f.id} with --port ${f.id}=PORT)`);
    }
    if (explicit !== undefined && f.configurable === 'no') {
      throw configError(`port override ${f.id}`, explicit, 'no override: the seed marks this port as not configurable');
    }
    if (explicit !== undefined && f.range && (explicit < f.range[0] || explicit > f.range[1])) {
      throw configError(`port override ${f.id}`, explicit, `a port from ${f.range[0]} to ${f.range[1]}`);
    }
    return { ...f, port, defaultPort: f.port };
  });
  return new PortMap(flows, offset);
}

/** The catalog's default ports, for help texts that name a port (never for binding: use the resolved map). */
export const DEFAULT_PORTS: PortMap = resolvePorts();
