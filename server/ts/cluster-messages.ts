// The IPC messages between a Task Server's primary and its workers (node:cluster, JSON). Workers
// hold sockets and answer HTTP; the primary holds the registry, the cap, the 50123 link and the
// reports. Types and (de)serialisation only; never sends anything itself.
import { ERRORS, SmpError, smpError, type ErrorKind } from '../../shared/errors.js';
import type { StatusDoc, TaskDoc } from '../../shared/protocol/task-xml.js';
import type { TsTask } from './client-registry.js';
import type { Counts } from './http-routes.js';
import type { ResolvedTsOptions } from './options.js';
import type { Bound } from './ts-core.js';

/** What a worker needs to start: plain data (ports resolved, PEM as text). */
export interface WorkerStart {
  readonly guid: string;
  readonly name: string;
  readonly bind: string;
  readonly httpPort: number;
  readonly httpsPort: number | null;
  readonly channelPort: number;
  readonly tls: { readonly cert: string; readonly key: string } | null;
  readonly settings: ResolvedTsOptions;
  readonly pollIntervalMs: number;
  readonly tasks: readonly TaskDoc[];
  readonly log: { readonly level: string; readonly file?: string };
}

/** Requests a worker makes of the primary; each answered by one Reply with the same id. */
export type WorkerRequest =
  | { t: 'req'; id: number; op: 'register'; guid: string; name: string; addresses: readonly string[] }
  | { t: 'req'; id: number; op: 'hellos'; items: readonly HelloItem[] }
  | { t: 'req'; id: number; op: 'known'; guid: string }
  | { t: 'req'; id: number; op: 'pending'; guid: string }
  | { t: 'req'; id: number; op: 'status'; guid: string; status: StatusDoc }
  | { t: 'req'; id: number; op: 'counts' }
  | { t: 'req'; id: number; op: 'server-status' }
  | { t: 'req'; id: number; op: 'metrics' };

export type RequestOp = WorkerRequest['op'];

/** One 50124 hello to admit; a worker sends the hellos of one event-loop turn in one request. */
export interface HelloItem {
  readonly guid: string;
  readonly name: string;
  readonly address: string | null;
}

/** Per hello: whether work is waiting, or why it was refused (e.g. the client cap). */
export type HelloOutcome = { ok: true; pending: boolean } | { ok: false; kind: string; message: string };

export interface ReplyValues {
  register: null;
  hellos: HelloOutcome[];
  known: null;
  pending: string[];
  status: null;
  counts: Counts;
  'server-status': Record<string, string | number>;
  metrics: { contentType: string; text: string };
}

export type ToPrimary =
  | WorkerRequest
  | { t: 'loaded' }
  | { t: 'ready'; http: Bound; https: Bound | null; channel: Bound }
  | { t: 'unlinked'; guids: string[] }
  | { t: 'metrics-res'; id: number; json: unknown }
  | { t: 'start-failed'; message: string };

export type Reply = { t: 'res'; id: number; ok: true; value: unknown } | { t: 'res'; id: number; ok: false; kind: string; message: string };

export type ToWorker =
  | { t: 'start'; start: WorkerStart }
  | Reply
  | { t: 'tasks'; tasks: TaskDoc[] }
  | { t: 'tickle'; version: number; guids: string[] }
  | { t: 'drop'; guid: string }
  | { t: 'settings'; settings: ResolvedTsOptions; pollIntervalMs: number }
  | { t: 'metrics-req'; id: number }
  | { t: 'stop' };

export const taskToWire = (t: TsTask): TaskDoc => ({ ...t, targets: t.targets === null ? null : [...t.targets] });
export const taskFromWire = (t: TaskDoc): TsTask => ({ ...t, targets: t.targets === null ? null : new Set(t.targets) });

/** An error as plain data for the worker: its kind (SMP_ERR_ without the prefix) and message. */
export function errorData(err: unknown): { kind: string; message: string } {
  return { kind: err instanceof SmpError ? err.code.replace('SMP_ERR_', '') : 'INTERNAL', message: (err as Error).message };
}

export const errorReply = (id: number, err: unknown): Reply => ({ t: 'res', id, ok: false, ...errorData(err) });

/** The primary's error again as a typed SmpError in the worker (unknown kinds become INTERNAL). */
export function errorFromReply(r: { kind: string; message: string }): SmpError {
  const kind = (r.kind in ERRORS ? r.kind : 'INTERNAL') as ErrorKind;
  return smpError(kind, r.message);
}
