// Turns a failed bind of a catalog flow's listener into one line a user can act on: the flow, the
// address and port, and the flag that moves it. Pure: it only reads the catalog and the errno code;
// an error it does not recognise is returned unchanged.
import { CATALOG } from './catalog.js';
import { smpError } from './errors.js';

export interface BindTarget {
  /** Catalog flow id of the listener, e.g. `ts-http`. */
  readonly flow: string;
  readonly host: string;
  readonly port: number;
  /** The flags that move a listener that is not a catalog flow (e.g. the console's own listener). */
  readonly move?: string;
}

export function bindError(err: unknown, t: BindTarget): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const where = `cannot bind ${t.flow} on ${t.host}:${t.port}`;
  const move = `move it with ${t.move ?? `--port ${t.flow}=PORT or --port-offset K`}`;
  const details = { flow: t.flow, port: t.port, host: t.host };
  if (code === 'EACCES') return smpError('BIND', `${where}: permission denied (ports below 1024 need root); ${move}`, details, err);
  if (code === 'EADDRINUSE') return smpError('BIND', `${where}: the port is in use${sharedWith(t.flow)}; ${move}`, details, err);
  if (code === 'EADDRNOTAVAIL') return smpError('BIND', `${where}: no local interface has that address; check --bind`, details, err);
  return err;
}

/** The servers smp-lab runs as a verb of their own; two of them with one offset on one host collide on a shared port. */
const SERVER_ROLES = new Set(['ns', 'ts']);

/** The other smp-lab server whose catalog port is the same: with the same offset on one host they always collide. */
function sharedWith(flow: string): string {
  const own = CATALOG.find((f) => f.id === flow);
  if (own === undefined || own.port === null) return '';
  const other = CATALOG.find((f) => f.port === own.port && f.transport === own.transport && f.listener !== own.listener &&
    SERVER_ROLES.has(f.listener));
  if (other === undefined) return '';
  return ` (${other.id} has the same catalog port: \`smp-lab ${other.listener}\` with the same offset on this host holds it)`;
}
