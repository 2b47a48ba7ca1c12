// The client task agent side of many simulated computers in one process: each asks the NS for its
// task servers, registers, holds a 50124 link from its own address, is told of work, fetches it
// over HTTP, runs it (simulated) and posts status; on loss it reconnects after reconnectMs and
// polls over HTTP meanwhile. Scale rule: per-agent data plus shared socket handlers and ONE sweep
// timer for keep-alives, reconnects and polls; no timer or closure per idle agent.
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { isSmpError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { FrameReader } from '../../shared/protocol/frame.js';
import { decodeChannelMessage, encodeChannelMessage, MSG, TASK_CHANNEL, CHANNEL_ERROR } from '../../shared/protocol/task-channel.js';
import type { TaskServerDoc } from '../../shared/protocol/task-xml.js';
import { chooseTaskServer, discoverTaskServers, fetchPersistentSettings, registerWithTs } from './task-discovery.js';
import { TaskHttp } from './task-http.js';
import { runTask, type AgentRef, type TaskHooks } from './task-runner.js';
import { fetchTasks, postStatus, withItems } from './task-work.js';

export interface TaskAgentPoolOptions {
  readonly nsUrl: string;
  /** Delay before reconnecting a lost 50124 link; default: the NS's PersistentSettings (60 s in SMP). */
  readonly reconnectMs?: number;
  /** HTTP polling interval while the link is down; default: the NS's PersistentSettings (30 min). */
  readonly pollIntervalMs?: number;
  /** Keep-alive interval; default: what the TS says in its hello acknowledgement. */
  readonly keepAliveMs?: number;
  /** How often the one sweep timer runs (ms). */
  readonly tickMs?: number;
  readonly maxHttpSockets?: number;
  /** CA (PEM) that task server and NS HTTPS certificates must chain to (the lab CA). */
  readonly ca?: string | Buffer;
  readonly hooks?: TaskHooks;
  readonly log: Logger;
}

export type Phase = 'discovering' | 'connecting' | 'connected' | 'offline' | 'stopped';

export interface TaskAgentEvents {
  connected: [guid: string];
  disconnected: [guid: string, reason: string];
  work: [guid: string];
  status: [guid: string, taskId: string, state: string];
  polled: [guid: string];
  /** Bodies fetched with GetTaskItems.aspx for tasks GetTasks listed without them. */
  items: [guid: string, taskIds: readonly string[]];
}

const AGENT = Symbol('taskAgent');
type Tagged = Socket & { [AGENT]?: TaskAgent };
const RECENT_TASKS = 32;

class TaskAgent {
  phase: Phase = 'discovering';
  server: TaskServerDoc | null = null;
  registeredWith: string | null = null;
  socket: Tagged | null = null;
  reader: FrameReader | null = null;
  lastSeen = 0;
  lastSent = 0;
  keepAliveMs = 30_000;
  reconnectAt = 0;
  pollAt = 0;
  polling = false;
  helloAcked = false;
  fetching = false;
  refetch = false;
  seen: string[] = [];
  constructor(readonly ref: AgentRef, readonly pool: TaskAgentPool) {}
}

export class TaskAgentPool extends EventEmitter<TaskAgentEvents> {
  private readonly agents = new Map<string, TaskAgent>();
  private readonly http: TaskHttp;
  private timer: NodeJS.Timeout | null = null;
  private reconnectMs: number;
  private pollIntervalMs: number;
  private closed = false;
  private lastSweep = Date.now();

  constructor(private readonly opts: TaskAgentPoolOptions) {
    super();
    this.http = new TaskHttp(opts.maxHttpSockets ?? 32, undefined, opts.ca);
    this.reconnectMs = opts.reconnectMs ?? 60_000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 30 * 60_000;
  }

  /** Reads the NS's persistent-connection settings (unless given) and starts the sweep. */
  async start(): Promise<void> {
    if (this.opts.reconnectMs === undefined || this.opts.pollIntervalMs === undefined) {
      const s = await fetchPersistentSettings(this.http, this.opts.nsUrl);
      this.reconnectMs = this.opts.reconnectMs ?? s.reconnectMs;
      this.pollIntervalMs = this.opts.pollIntervalMs ?? s.pollIntervalMs;
    }
    this.timer = setInterval(() => this.sweep(), this.opts.tickMs ?? 250);
  }

  add(ref: AgentRef): void {
    if (this.agents.has(ref.guid)) return;
    const a = new TaskAgent(ref, this);
    this.agents.set(ref.guid, a);
    void this.bringUp(a);
  }

  phase(guid: string): Phase | undefined {
    return this.agents.get(guid)?.phase;
  }

  counts(): Record<Phase, number> {
    const out: Record<Phase, number> = { discovering: 0, connecting: 0, connected: 0, offline: 0, stopped: 0 };
    for (const a of this.agents.values()) out[a.phase]++;
    return out;
  }

  /** The chosen task server of an agent (for tests and reports). */
  serverOf(guid: string): TaskServerDoc | null {
    return this.agents.get(guid)?.server ?? null;
  }

  private async bringUp(a: TaskAgent): Promise<void> {
    try {
      if (a.server === null) {
        a.phase = 'discovering';
        const { method, servers } = await discoverTaskServers(this.http, this.opts.nsUrl, a.ref);
        a.server = await chooseTaskServer(method, servers, a.ref.ip);
        if (a.server === null) throw new Error('the NS lists no reachable task server');
      }
      if (a.registeredWith !== a.server.guid) {
        await registerWithTs(this.http, a.server, a.ref);
        a.registeredWith = a.server.guid;
      }
      if (this.closed || a.phase === 'stopped') return;
      this.connect(a);
    } catch (err) {
      if (isSmpError(err, 'CAPACITY')) a.server = null;
      this.opts.log.debug({ agentGuid: a.ref.guid, err: (err as Error).message }, 'task agent could not come up');
      this.goOffline(a, (err as Error).message, true);
    }
  }

  private connect(a: TaskAgent): void {
    const server = a.server!;
    a.phase = 'connecting';
    a.helloAcked = false;
    a.reader = new FrameReader(TASK_CHANNEL);
    const socket = connect({ host: server.channelHost, port: server.channelPort, localAddress: a.ref.ip, noDelay: true }) as Tagged;
    socket[AGENT] = a;
    a.socket = socket;
    a.lastSeen = a.lastSent = Date.now();
    socket.on('connect', onConnect);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', noop);
  }

  /** @internal called by the shared data handler */
  handleData(a: TaskAgent, chunk: Buffer): void {
    a.lastSeen = Date.now();
    try {
      for (const f of a.reader!.push(chunk)) {
        const m = decodeChannelMessage(f);
        if (m.type === 'ack' && m.acked === MSG.HELLO) {
          a.helloAcked = true;
          a.phase = 'connected';
          a.polling = false;
          a.keepAliveMs = this.opts.keepAliveMs ?? Math.max(50, m.value);
          this.emit('connected', a.ref.guid);
          this.fetch(a);
        } else if (m.type === 'work-waiting') {
          a.socket?.write(encodeChannelMessage({ type: 'ack', acked: MSG.WORK_WAITING, value: m.seq }));
          this.emit('work', a.ref.guid);
          this.fetch(a);
        } else if (m.type === 'error') {
          this.opts.log.debug({ agentGuid: a.ref.guid, code: m.code, reason: m.reason }, 'task server sent an error');
          if (m.code === CHANNEL_ERROR.CAPACITY) a.server = null;
        }
      }
    } catch (err) {
      if (!isSmpError(err)) throw err;
      this.opts.log.warn({ agentGuid: a.ref.guid, err: err.message }, 'bad frame from the task server; link dropped');
      a.socket?.destroy();
    }
  }

  /** @internal called by the shared close handler */
  handleClose(a: TaskAgent, socket: Socket): void {
    if (a.socket !== socket) return;
    a.socket = null;
    a.reader = null;
    if (a.phase === 'stopped') return;
    this.goOffline(a, a.helloAcked ? 'link lost' : 'could not connect', !a.helloAcked);
  }

  private goOffline(a: TaskAgent, reason: string, cannotConnect: boolean): void {
    const wasConnected = a.phase === 'connected';
    a.phase = 'offline';
    const now = Date.now();
    a.reconnectAt = now + this.reconnectMs;
    if (cannotConnect && !a.polling && a.registeredWith !== null) {
      a.polling = true;
      a.pollAt = now;
    }
    if (wasConnected) this.emit('disconnected', a.ref.guid, reason);
  }

  private sweep(): void {
    const now = Date.now();
    // Late sweep = busy process: bytes may wait unread behind this timer; judge silence next time.
    const late = now - this.lastSweep > (this.opts.tickMs ?? 250) * 4;
    this.lastSweep = now;
    for (const a of this.agents.values()) {
      if (a.phase === 'connected' && a.socket !== null) {
        if (!late && now - a.lastSeen > a.keepAliveMs * 3) {
          a.socket.destroy();
          continue;
        }
        if (now - a.lastSent >= a.keepAliveMs) {
          a.lastSent = now;
          a.socket.write(encodeChannelMessage({ type: 'keepalive', seq: now >>> 0 }));
        }
      } else if (a.phase === 'offline') {
        if (a.polling && now >= a.pollAt) {
          a.pollAt = now + this.pollIntervalMs;
          this.emit('polled', a.ref.guid);
          this.fetch(a);
        }
        if (now >= a.reconnectAt) {
          a.reconnectAt = Number.MAX_SAFE_INTEGER;
          void this.bringUp(a);
        }
      }
    }
  }

  /** GetTasks, then run each new task and post its status. */
  private fetch(a: TaskAgent): void {
    if (a.fetching) {
      a.refetch = true;
      return;
    }
    if (a.server === null) return;
    a.fetching = true;
    const server = a.server;
    void fetchTasks(this.http, server, a.ref).then(async (listed) => {
      const fresh = listed.filter((t) => !a.seen.includes(t.id));
      const { tasks, fetched } = await withItems(this.http, server, a.ref, fresh);
      if (fetched.length > 0) this.emit('items', a.ref.guid, fetched);
      for (const t of tasks) {
        if (a.seen.includes(t.id)) continue;
        a.seen.push(t.id);
        if (a.seen.length > RECENT_TASKS) a.seen.shift();
        void this.run(a, server, t);
      }
    }, (err: unknown) => {
      this.opts.log.debug({ agentGuid: a.ref.guid, err: (err as Error).message }, 'GetTasks failed');
      if (isSmpError(err, 'UNKNOWN_RESOURCE')) a.registeredWith = null;
    }).finally(() => {
      a.fetching = false;
      if (a.refetch) {
        a.refetch = false;
        this.fetch(a);
      }
    });
  }

  private async run(a: TaskAgent, server: TaskServerDoc, t: Parameters<typeof runTask>[0]): Promise<void> {
    try {
      if (t.durationMs >= 1000) await postStatus(this.http, server, a.ref, t.id, { state: 'running', exitCode: null, output: '' });
      if (t.durationMs > 0) await new Promise((resolve) => setTimeout(resolve, t.durationMs));
      const result = await runTask(t, a.ref, this.opts.nsUrl, this.http, this.opts.hooks ?? {});
      await postStatus(this.http, server, a.ref, t.id, result);
      this.emit('status', a.ref.guid, t.id, result.state);
      if (t.type === 'power' && (t.action === 'restart' || t.action === 'shutdown')) this.powerCycle(a, t.action);
    } catch (err) {
      this.opts.log.warn({ agentGuid: a.ref.guid, task: t.id, err: (err as Error).message }, 'task status could not be posted');
    }
  }

  /** A simulated restart drops the link and comes back after reconnectMs; shutdown stays down. */
  private powerCycle(a: TaskAgent, action: string): void {
    const socket = a.socket;
    if (action === 'shutdown') a.phase = 'stopped';
    socket?.destroy();
    if (action === 'shutdown') {
      a.socket = null;
      this.emit('disconnected', a.ref.guid, 'shutdown');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    for (const a of this.agents.values()) {
      a.phase = 'stopped';
      a.socket?.destroy();
    }
    this.http.close();
  }

}

function noop(): void {
  // Errors surface as 'close'; the agent reconnects from there.
}

// Shared socket handlers: they reach their agent (and its pool) through a symbol.
function onData(this: Tagged, chunk: Buffer): void {
  const a = this[AGENT];
  if (a !== undefined) a.pool.handleData(a, chunk);
}
function onClose(this: Tagged): void {
  const a = this[AGENT];
  if (a !== undefined) a.pool.handleClose(a, this);
}
function onConnect(this: Tagged): void {
  const a = this[AGENT];
  if (a !== undefined) this.write(encodeChannelMessage({ type: 'hello', guid: a.ref.guid, name: a.ref.name }));
}
