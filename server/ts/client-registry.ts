// Clients registered with this Task Server (Register.aspx or an implicit hello on 50124), the
// per-server client cap, the tasks the TS knows and the work waiting per client. Plain data:
// never touches sockets (the channel server attaches a link and sends the tickles).
import { smpError } from '../../shared/errors.js';
import type { TaskDoc, TaskKind } from '../../shared/protocol/task-xml.js';

export type TaskType = TaskKind;

/** A task as the TS holds it after fetching it from the NS (GetTaskVersion.aspx). */
export interface TsTask extends Omit<TaskDoc, 'targets'> {
  /** Agent GUIDs, or null for every client of this TS. */
  readonly targets: ReadonlySet<string> | null;
}

export interface ClientRecord {
  readonly guid: string;
  name: string;
  addresses: readonly string[];
  readonly registeredAt: number;
  /** The open 50124 link, if any (opaque to the registry). */
  link: unknown;
  /** Ids of tasks waiting for this client; null when none (saves an array per idle client). */
  pending: string[] | null;
}

export class ClientRegistry {
  private readonly clients = new Map<string, ClientRecord>();
  private readonly tasks = new Map<string, TsTask>();
  private connected = 0;

  /** `onGrow` runs after a new client registers (the TS then tells the NS its new count). */
  constructor(public maxClients: number, private readonly onGrow: () => void = () => undefined) {}

  get size(): number {
    return this.clients.size;
  }
  get connectedCount(): number {
    return this.connected;
  }

  get(guid: string): ClientRecord | undefined {
    return this.clients.get(guid);
  }

  /** Registers (or refreshes) a client; a newcomer beyond the cap gets the Register error. */
  register(guid: string, name: string, addresses: readonly string[]): ClientRecord {
    const known = this.clients.get(guid);
    if (known !== undefined) {
      if (name !== '') known.name = name;
      if (addresses.length > 0) known.addresses = addresses;
      return known;
    }
    if (this.clients.size >= this.maxClients) {
      throw smpError('CAPACITY',
        `Register: this task server already has the maximum number of registered clients (${this.maxClients}); ` +
        'the client must register with another task server', { limit: this.maxClients, handler: 'Register' });
    }
    const rec: ClientRecord = { guid, name, addresses, registeredAt: Date.now(), link: null, pending: null };
    this.clients.set(guid, rec);
    this.onGrow();
    for (const t of this.tasks.values()) if (t.targets === null) addPending(rec, t.id);
    return rec;
  }

  setLink(rec: ClientRecord, link: unknown): void {
    if (rec.link === null && link !== null) this.connected++;
    if (rec.link !== null && link === null) this.connected--;
    rec.link = link;
  }

  /** Adds tasks; returns the clients that now have work waiting. */
  addTasks(tasks: readonly TsTask[]): ClientRecord[] {
    const touched = new Set<ClientRecord>();
    for (const t of tasks) {
      if (this.tasks.has(t.id)) continue;
      this.tasks.set(t.id, t);
      if (t.targets === null) {
        for (const rec of this.clients.values()) {
          addPending(rec, t.id);
          touched.add(rec);
        }
      } else {
        for (const g of t.targets) {
          const rec = this.clients.get(g);
          if (rec === undefined) continue;
          addPending(rec, t.id);
          touched.add(rec);
        }
      }
    }
    return [...touched];
  }

  /** Every task this TS knows (a restarted worker gets the table). */
  allTasks(): IterableIterator<TsTask> {
    return this.tasks.values();
  }

  /** Clients whose link is `link` (e.g. every client a crashed worker held), or with any link. */
  linkedTo(link: unknown, any = false): ClientRecord[] {
    const out: ClientRecord[] = [];
    for (const rec of this.clients.values()) if (any ? rec.link !== null : rec.link === link) out.push(rec);
    return out;
  }

  task(id: string): TsTask | undefined {
    return this.tasks.get(id);
  }

  pendingTasks(rec: ClientRecord): TsTask[] {
    return (rec.pending ?? []).map((id) => this.tasks.get(id)).filter((t): t is TsTask => t !== undefined);
  }

  /** A final status removes the task from the client's waiting list. */
  finish(rec: ClientRecord, taskId: string): void {
    if (rec.pending === null) return;
    const i = rec.pending.indexOf(taskId);
    if (i >= 0) rec.pending.splice(i, 1);
    if (rec.pending.length === 0) rec.pending = null;
  }
}

function addPending(rec: ClientRecord, id: string): void {
  if (rec.pending === null) rec.pending = [id];
  else if (!rec.pending.includes(id)) rec.pending.push(id);
}
