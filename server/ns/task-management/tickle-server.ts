// The NS's tickle server (TCP 50123 in smp-lab's reading of the seed): task servers open and hold
// a link here; the NS pushes "work waiting for these agents" and new TS settings down it. Bounded:
// a connection cap, a hello deadline, keep-alive echo and a sweep that drops silent links.
import { createServer, type Server, type Socket } from 'node:net';
import { isSmpError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/log.js';
import { FrameReader } from '../../../shared/protocol/frame.js';
import { CHANNEL_ERROR, channelErrorCode } from '../../../shared/protocol/task-channel.js';
import {
  decodeTickleMessage, encodeTickleMessage, MAX_TICKLE_GUIDS, TICKLE_MSG, TS_TICKLE,
} from '../../../shared/protocol/ts-tickle.js';

export interface TickleServerOptions {
  readonly keepAliveMs: number;
  readonly maxLinks: number;
  readonly onReject: (reason: string) => void;
}

interface TsLink {
  readonly socket: Socket;
  readonly reader: FrameReader;
  guid: string | null;
  name: string;
  lastSeen: number;
}

export class TickleServer {
  readonly server: Server;
  private readonly links = new Set<TsLink>();
  private readonly byGuid = new Map<string, TsLink>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private settings: Record<string, string> = {};
  private listening = false;

  constructor(private readonly opts: TickleServerOptions, private readonly log: Logger) {
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server.on('error', (err) => this.log.error({ flow: 'ts-tickle-server', err: err.message }, 'tickle server error'));
  }

  /** Task servers with a live link, by GUID. */
  connected(): string[] {
    return [...this.byGuid.keys()];
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.listening = true;
    this.sweepTimer = setInterval(() => this.sweep(), Math.max(50, this.opts.keepAliveMs / 2));
    this.sweepTimer.unref();
    const a = this.server.address();
    if (a === null || typeof a === 'string') throw new Error('tickle server has no address');
    return a.port;
  }

  private accept(socket: Socket): void {
    if (this.links.size >= this.opts.maxLinks) {
      this.reject(socket, CHANNEL_ERROR.CAPACITY, 'flood', 'too many task server links');
      return;
    }
    const link: TsLink = { socket, reader: new FrameReader(TS_TICKLE), guid: null, name: '', lastSeen: Date.now() };
    this.links.add(link);
    socket.on('data', (chunk: Buffer) => this.onData(link, chunk));
    socket.on('error', (err) => this.log.debug({ flow: 'ts-tickle-server', err: err.message }, 'tickle link error'));
    socket.on('close', () => {
      this.links.delete(link);
      if (link.guid !== null && this.byGuid.get(link.guid) === link) {
        this.byGuid.delete(link.guid);
        this.log.info({ flow: 'ts-tickle-server', taskServer: link.guid }, 'task server link closed');
      }
    });
  }

  private onData(link: TsLink, chunk: Buffer): void {
    link.lastSeen = Date.now();
    try {
      for (const f of link.reader.push(chunk)) {
        const m = decodeTickleMessage(f);
        if (m.type === 'hello') {
          if (link.guid !== null) return this.reject(link.socket, CHANNEL_ERROR.BAD_FRAME, 'second-hello', 'hello sent twice');
          link.guid = m.guid;
          link.name = m.name;
          this.byGuid.get(m.guid)?.socket.destroy();
          this.byGuid.set(m.guid, link);
          link.socket.write(encodeTickleMessage({ type: 'ack', acked: TICKLE_MSG.HELLO, value: this.opts.keepAliveMs }));
          if (Object.keys(this.settings).length > 0) link.socket.write(encodeTickleMessage({ type: 'settings', settings: this.settings }));
          this.log.info({ flow: 'ts-tickle-server', taskServer: m.guid, name: m.name }, 'task server link up');
        } else if (link.guid === null) {
          return this.reject(link.socket, CHANNEL_ERROR.HELLO_REQUIRED, 'no-hello', 'say hello first');
        } else if (m.type === 'keepalive') {
          link.socket.write(encodeTickleMessage({ type: 'keepalive', seq: m.seq }));
        } else if (m.type === 'error') {
          this.log.warn({ flow: 'ts-tickle-server', taskServer: link.guid, code: m.code, reason: m.reason }, 'task server sent an error');
        } else if (m.type !== 'ack') {
          return this.reject(link.socket, CHANNEL_ERROR.UNKNOWN_MESSAGE, 'unexpected-message', `${m.type} is not sent by task servers`);
        }
      }
    } catch (err) {
      if (!isSmpError(err)) throw err;
      this.reject(link.socket, channelErrorCode(err.code), err.code.replace('SMP_ERR_', '').toLowerCase(), err.message);
    }
  }

  private reject(socket: Socket, code: number, reason: string, message: string): void {
    this.opts.onReject(reason);
    this.log.warn({ flow: 'ts-tickle-server', reason, remote: socket.remoteAddress }, message);
    socket.removeAllListeners('data');
    socket.end(encodeTickleMessage({ type: 'error', code, reason: message }));
    socket.destroySoon();
  }

  /** Tells every linked TS that work is waiting (agents: explicit targets, or none for "all"). */
  tickle(taskVersion: number, agents: readonly string[] | null): number {
    const frames: Buffer[] = [];
    if (agents === null || agents.length === 0) frames.push(encodeTickleMessage({ type: 'tickle', taskVersion, agents: [] }));
    else {
      for (let i = 0; i < agents.length; i += MAX_TICKLE_GUIDS) {
        frames.push(encodeTickleMessage({ type: 'tickle', taskVersion, agents: agents.slice(i, i + MAX_TICKLE_GUIDS) }));
      }
    }
    for (const link of this.byGuid.values()) for (const f of frames) link.socket.write(f);
    return this.byGuid.size;
  }

  /** New settings for every TS, now and at each later hello. */
  pushSettings(settings: Record<string, string>): void {
    this.settings = { ...this.settings, ...settings };
    const frame = encodeTickleMessage({ type: 'settings', settings: this.settings });
    for (const link of this.byGuid.values()) link.socket.write(frame);
  }

  private sweep(): void {
    const now = Date.now();
    for (const link of this.links) {
      const limit = link.guid === null ? this.opts.keepAliveMs : this.opts.keepAliveMs * 3;
      if (now - link.lastSeen > limit) {
        this.reject(link.socket, CHANNEL_ERROR.KEEPALIVE_TIMEOUT, link.guid === null ? 'hello-timeout' : 'keepalive-timeout', 'link silent; dropped');
        link.socket.destroy();
      }
    }
  }

  async close(): Promise<void> {
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    for (const link of this.links) link.socket.destroy();
    if (this.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
