// The 50124 listener: client task agents open and hold a link here; the TS acknowledges their
// hello, echoes keep-alives, sends "work waiting" and drops silent, flooding or garbled peers.
// Scale rule (ws receiver model): one small AgentLink per socket and handlers shared by all
// sockets; one sweep timer for every keep-alive deadline, never a timer or closure per connection.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../shared/log.js';
import { FrameReader } from '../../shared/protocol/frame.js';
import {
  CHANNEL_ERROR, channelErrorCode, decodeChannelMessage, encodeChannelMessage, MSG, TASK_CHANNEL,
} from '../../shared/protocol/task-channel.js';
import { isSmpError } from '../../shared/errors.js';
import type { ClientRecord, ClientRegistry } from './client-registry.js';
import type { TsMetrics } from './metrics.js';
import type { ResolvedTsOptions } from './options.js';
import type { RejectLog } from './reject-log.js';

const CH = 'agent-channel';
const LINK = Symbol('agentLink');
/** A peer that does not read its frames is dropped once this much is queued for it. */
const MAX_QUEUED_BYTES = 16 * 1024;
const TYPE_NAMES: Record<number, string> = { 1: 'hello', 2: 'keepalive', 3: 'work-waiting', 4: 'ack', 5: 'error' };

class AgentLink {
  readonly reader = new FrameReader(TASK_CHANNEL);
  client: ClientRecord | null = null;
  lastSeen: number;
  /** Frames since `framesSince`: the flood window is the link's own, not the sweep's (which may run late). */
  frames = 0;
  framesSince: number;
  workSeq = 0;
  /** Waiting for the primary to admit this hello (workers only). */
  admitting = false;
  constructor(readonly socket: Socket, readonly owner: AgentChannelServer, now: number) {
    this.lastSeen = now;
    this.framesSince = now;
  }
}

// Shared handlers: `this` is the socket; its AgentLink (and through it the server) is found
// through a symbol, so no function is allocated per connection.
function onData(this: Tagged, chunk: Buffer): void {
  const link = this[LINK];
  if (link !== undefined) link.owner.onData(link, chunk);
}
function onClose(this: Tagged): void {
  const link = this[LINK];
  if (link !== undefined) link.owner.onClose(link);
}
function onError(this: Tagged, err: Error): void {
  this[LINK]?.owner.onSocketError(err);
}

type Tagged = Socket & { [LINK]?: AgentLink };

/**
 * In a worker the registry, the cap and the work lists live in the primary: a hello is admitted
 * there first (resolves whether work is waiting; rejects SMP_ERR_CAPACITY), and a lost link is
 * reported back. In one process there is no gate and the local registry decides.
 */
export interface HelloGate {
  admit(guid: string, name: string, address: string | undefined): Promise<boolean>;
  unlinked(guid: string): void;
}

export class AgentChannelServer {
  readonly server: Server;
  private readonly links = new Set<AgentLink>();
  private pendingHellos = 0;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweepEvery = 1000;
  private lastSweep = Date.now();
  private closing = false;

  constructor(
    private settings: ResolvedTsOptions,
    private readonly registry: ClientRegistry,
    private readonly metrics: TsMetrics,
    private readonly rejects: RejectLog,
    private readonly log: Logger,
    private readonly gate: HelloGate | null = null,
  ) {
    this.server = createServer({ noDelay: true, pauseOnConnect: false }, (socket: Tagged) => {
      socket.on('data', onData);
      socket.on('close', onClose);
      socket.on('error', onError);
      this.accept(socket);
    });
    this.server.on('error', (err) => this.log.error({ channel: CH, err: err.message }, 'listener error'));
  }

  get connectionCount(): number {
    return this.links.size;
  }

  updateSettings(s: ResolvedTsOptions): void {
    this.settings = s;
    this.startSweep();
  }

  async listen(port: number, host: string): Promise<{ address: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host, backlog: 4096 }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.startSweep();
    const a = this.server.address();
    if (a === null || typeof a === 'string') throw new Error('50124 listener has no address');
    return { address: a.address, port: a.port };
  }

  private startSweep(): void {
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    const every = Math.max(50, Math.min(this.settings.keepAliveMs, this.settings.helloTimeoutMs) / 2);
    this.sweepEvery = every;
    this.lastSweep = Date.now();
    this.sweepTimer = setInterval(() => this.sweep(), every);
    this.sweepTimer.unref();
  }

  private accept(socket: Tagged): void {
    if (this.closing) {
      socket.end(encodeChannelMessage({ type: 'error', code: CHANNEL_ERROR.SHUTTING_DOWN, reason: 'task server is stopping' }));
      return;
    }
    const capacity = this.settings.maxClients + this.settings.maxPendingHellos;
    if (this.pendingHellos >= this.settings.maxPendingHellos || this.links.size >= capacity) {
      this.rejects.note(CH, 'flood', { remote: socket.remoteAddress }, 'connection refused: too many connections');
      socket.end(encodeChannelMessage({ type: 'error', code: CHANNEL_ERROR.CAPACITY, reason: 'too many connections; retry later' }));
      socket.destroySoon();
      return;
    }
    const link = new AgentLink(socket, this, Date.now());
    socket[LINK] = link;
    this.links.add(link);
    this.pendingHellos++;
    this.metrics.connections.inc({ channel: CH });
  }

  /** @internal called by the shared data handler */
  onData(link: AgentLink, chunk: Buffer): void {
    const now = Date.now();
    link.lastSeen = now;
    if (now - link.framesSince >= this.sweepEvery) {
      link.frames = 0;
      link.framesSince = now;
    }
    try {
      for (const frame of link.reader.push(chunk)) {
        if (++link.frames > this.settings.maxFramesPerInterval) {
          this.refuse(link, CHANNEL_ERROR.CAPACITY, 'flood', 'too many frames; slow down');
          return;
        }
        this.metrics.frames.inc({ channel: CH, type: TYPE_NAMES[frame.type] ?? 'unknown' });
        const m = decodeChannelMessage(frame);
        if (link.admitting) {
          if (m.type === 'hello') return this.refuse(link, CHANNEL_ERROR.BAD_FRAME, 'second-hello', 'hello sent twice');
          continue; // nothing else is due before our acknowledgement
        }
        if (m.type === 'hello') this.onHello(link, m.guid, m.name);
        else if (link.client === null) return this.refuse(link, CHANNEL_ERROR.HELLO_REQUIRED, 'no-hello', 'say hello first');
        else if (m.type === 'keepalive') this.write(link, encodeChannelMessage({ type: 'keepalive', seq: m.seq }));
        else if (m.type === 'ack') continue;
        else if (m.type === 'error') this.log.info({ channel: CH, agentGuid: link.client.guid, code: m.code, reason: m.reason }, 'agent sent error');
        else return this.refuse(link, CHANNEL_ERROR.UNKNOWN_MESSAGE, 'unexpected-message', `${m.type} is not sent by agents`);
        if (link.socket.destroyed) return;
      }
    } catch (err) {
      // Thrown from a socket's data handler, anything else would be an uncaught exception: drop the link.
      if (!isSmpError(err)) return this.internal(link, err);
      this.refuse(link, channelErrorCode(err.code), err.code.replace('SMP_ERR_', '').toLowerCase(), err.message);
    }
  }

  /** An unexpected exception on one link: logged and counted as `internal`, the link closed, the TS unharmed. */
  private internal(link: AgentLink, err: unknown): void {
    this.log.error({ channel: CH, agentGuid: link.client?.guid, err }, 'internal error on an agent link');
    this.rejects.note(CH, 'internal', { agentGuid: link.client?.guid, remote: link.socket.remoteAddress },
      `internal error: ${(err as Error | null)?.message ?? String(err)}`);
    link.socket.removeAllListeners('data');
    link.socket.on('data', discard);
    link.socket.destroy();
  }

  private onHello(link: AgentLink, guid: string, name: string): void {
    if (link.client !== null) return this.refuse(link, CHANNEL_ERROR.BAD_FRAME, 'second-hello', 'hello sent twice');
    if (this.gate === null) return this.completeHello(link, guid, name, null);
    link.admitting = true;
    this.gate.admit(guid, name, link.socket.remoteAddress).then((pending) => {
      link.admitting = false;
      if (link.socket.destroyed || this.closing) {
        this.gate?.unlinked(guid);
        return;
      }
      this.completeHello(link, guid, name, pending);
    }, (err: unknown) => {
      link.admitting = false;
      if (!isSmpError(err)) this.log.error({ channel: CH, err: (err as Error).message }, 'hello admission failed');
      this.refuse(link, CHANNEL_ERROR.CAPACITY, 'client-cap', (err as Error).message);
    });
  }

  /** `pending` comes from the primary in a worker; null means "ask the local registry". */
  private completeHello(link: AgentLink, guid: string, name: string, pending: boolean | null): void {
    let rec: ClientRecord;
    try {
      rec = this.registry.register(guid, name, link.socket.remoteAddress ? [link.socket.remoteAddress] : []);
    } catch (err) {
      if (!isSmpError(err)) return this.internal(link, err);
      return this.refuse(link, CHANNEL_ERROR.CAPACITY, 'client-cap', err.message);
    }
    const previous = rec.link as AgentLink | null;
    if (previous !== null && previous !== link) this.replace(previous);
    link.client = rec;
    this.pendingHellos--;
    this.registry.setLink(rec, link);
    if (this.gate === null) this.metrics.registered.set(this.registry.size);
    this.write(link, encodeChannelMessage({ type: 'ack', acked: MSG.HELLO, value: this.settings.keepAliveMs }));
    if (pending ?? rec.pending !== null) this.tickle(rec, 0);
  }

  /** A newer link of the same agent (here, or in another worker) replaces this one. */
  private replace(previous: AgentLink): void {
    if (previous.client !== null && previous.client.link === previous) this.registry.setLink(previous.client, null);
    previous.client = null;
    this.refuse(previous, CHANNEL_ERROR.REPLACED, 'replaced', 'a newer connection from this agent replaced this one');
  }

  /** The primary saw this agent say hello in another worker: drop our older link. */
  dropReplaced(guid: string): void {
    const link = this.registry.get(guid)?.link as AgentLink | null | undefined;
    if (link) this.replace(link);
  }

  /** Sends "work waiting" to a connected client; false when it has no link (it will poll). */
  tickle(rec: ClientRecord, taskVersion: number): boolean {
    const link = rec.link as AgentLink | null;
    if (link === null || link.socket.destroyed) {
      this.metrics.tickles.inc({ outcome: 'not-connected' });
      return false;
    }
    link.workSeq = (link.workSeq + 1) >>> 0;
    this.write(link, encodeChannelMessage({ type: 'work-waiting', seq: link.workSeq, taskVersion }));
    this.metrics.tickles.inc({ outcome: 'sent' });
    return true;
  }

  private write(link: AgentLink, bytes: Buffer): void {
    if (link.socket.writableLength > MAX_QUEUED_BYTES) {
      this.rejects.note(CH, 'slow-reader', { agentGuid: link.client?.guid }, 'agent does not read its frames; dropped');
      link.socket.destroy();
      return;
    }
    link.socket.write(bytes);
  }

  private refuse(link: AgentLink, code: number, reason: string, message: string): void {
    this.rejects.note(CH, reason, { agentGuid: link.client?.guid, remote: link.socket.remoteAddress }, message);
    if (!link.socket.destroyed) {
      link.socket.end(encodeChannelMessage({ type: 'error', code, reason: message }));
      link.socket.destroySoon();
    }
    link.socket.removeAllListeners('data');
    link.socket.on('data', discard);
  }

  /** @internal */
  onSocketError(err: Error): void {
    this.log.debug({ channel: CH, err: err.message }, 'agent link error');
  }

  /** @internal called by the shared close handler */
  onClose(link: AgentLink): void {
    if (!this.links.delete(link)) return;
    this.metrics.connections.dec({ channel: CH });
    if (link.client === null) this.pendingHellos--;
    else if (link.client.link === link) {
      this.registry.setLink(link.client, null);
      this.gate?.unlinked(link.client.guid);
    }
  }

  private sweep(): void {
    const now = Date.now();
    // A sweep that runs late means this process was busy: the peers' bytes may be waiting unread
    // behind it (timers run before I/O), so judge silence only on the next, timely sweep.
    const late = now - this.lastSweep > this.sweepEvery * 2;
    this.lastSweep = now;
    if (late) return;
    const { deadAfterMs, helloTimeoutMs } = this.settings;
    for (const link of this.links) {
      if (link.socket.destroyed) continue;
      if (link.client === null && now - link.lastSeen > helloTimeoutMs) {
        this.refuse(link, CHANNEL_ERROR.HELLO_REQUIRED, 'hello-timeout', 'no hello in time');
        link.socket.destroy();
      } else if (now - link.lastSeen > deadAfterMs) {
        this.refuse(link, CHANNEL_ERROR.KEEPALIVE_TIMEOUT, 'keepalive-timeout', 'no keep-alive in time; link dropped');
        link.socket.destroy();
      }
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    const bye = encodeChannelMessage({ type: 'error', code: CHANNEL_ERROR.SHUTTING_DOWN, reason: 'task server is stopping' });
    for (const link of this.links) link.socket.end(bye);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    setTimeout(() => { for (const link of this.links) link.socket.destroy(); }, 500).unref();
    await closed;
  }
}

function discard(): void {
  // Bytes after a refusal are dropped unread while the error frame drains.
}
