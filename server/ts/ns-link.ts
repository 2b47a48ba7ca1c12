// The TS end of the 50123 link: the TS opens a TCP link to the NS's tickle server, says hello with
// its GUID, keeps it alive and receives "work waiting" tickles and new settings; on loss it
// reconnects after retryMs. Never fetches work itself: it hands tickles to the task server.
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { isSmpError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { FrameReader } from '../../shared/protocol/frame.js';
import { CHANNEL_ERROR, channelErrorCode } from '../../shared/protocol/task-channel.js';
import { decodeTickleMessage, encodeTickleMessage, TICKLE_MSG, TS_TICKLE } from '../../shared/protocol/ts-tickle.js';

export interface NsLinkEvents {
  tickle: [taskVersion: number, agents: readonly string[]];
  settings: [settings: Readonly<Record<string, string>>];
  up: [];
  down: [reason: string];
}

export class NsLink extends EventEmitter<NsLinkEvents> {
  private socket: Socket | null = null;
  private retry: NodeJS.Timeout | null = null;
  private keepAlive: NodeJS.Timeout | null = null;
  private lastSeen = 0;
  private seq = 0;
  private stopped = false;
  up = false;

  constructor(
    private readonly target: () => { host: string; port: number } | null,
    private readonly hello: { guid: string; name: string },
    private readonly retryMs: number,
    private readonly log: Logger,
  ) {
    super();
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  private open(): void {
    if (this.stopped || this.socket !== null) return;
    const t = this.target();
    if (t === null) return this.scheduleRetry();
    const reader = new FrameReader(TS_TICKLE);
    const socket = connect({ host: t.host, port: t.port, noDelay: true });
    this.socket = socket;
    this.lastSeen = Date.now();
    socket.on('connect', () => socket.write(encodeTickleMessage({ type: 'hello', ...this.hello })));
    socket.on('data', (chunk: Buffer) => {
      this.lastSeen = Date.now();
      try {
        for (const f of reader.push(chunk)) this.onMessage(socket, decodeTickleMessage(f));
      } catch (err) {
        if (!isSmpError(err)) throw err;
        this.log.warn({ flow: 'ts-tickle-server', err: err.message }, 'bad frame from the NS tickle server; link closed');
        socket.end(encodeTickleMessage({ type: 'error', code: channelErrorCode(err.code), reason: err.message }));
        socket.destroySoon();
      }
    });
    socket.on('error', (err) => this.log.debug({ flow: 'ts-tickle-server', err: err.message }, 'tickle link error'));
    socket.on('close', () => this.onClose(socket));
  }

  private onMessage(socket: Socket, m: ReturnType<typeof decodeTickleMessage>): void {
    switch (m.type) {
      case 'ack':
        if (m.acked === TICKLE_MSG.HELLO) this.onUp(socket, m.value);
        return;
      case 'keepalive':
        return;
      case 'tickle':
        socket.write(encodeTickleMessage({ type: 'ack', acked: TICKLE_MSG.TICKLE, value: m.taskVersion }));
        this.emit('tickle', m.taskVersion, m.agents);
        return;
      case 'settings':
        socket.write(encodeTickleMessage({ type: 'ack', acked: TICKLE_MSG.SETTINGS, value: 0 }));
        this.emit('settings', m.settings);
        return;
      case 'error':
        this.log.warn({ flow: 'ts-tickle-server', code: m.code, reason: m.reason }, 'NS tickle server sent an error');
        return;
      case 'hello':
        socket.end(encodeTickleMessage({ type: 'error', code: CHANNEL_ERROR.UNKNOWN_MESSAGE, reason: 'hello is sent by task servers' }));
        socket.destroySoon();
    }
  }

  private onUp(socket: Socket, keepAliveMs: number): void {
    this.up = true;
    const every = Math.max(100, keepAliveMs);
    this.keepAlive = setInterval(() => {
      if (Date.now() - this.lastSeen > every * 3) {
        this.log.warn({ flow: 'ts-tickle-server' }, 'NS tickle server silent; link dropped');
        socket.destroy();
        return;
      }
      this.seq = (this.seq + 1) >>> 0;
      socket.write(encodeTickleMessage({ type: 'keepalive', seq: this.seq }));
    }, every);
    this.keepAlive.unref();
    this.log.info({ flow: 'ts-tickle-server', remote: `${socket.remoteAddress}:${socket.remotePort}` }, 'tickle link up');
    this.emit('up');
  }

  private onClose(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = null;
    if (this.keepAlive !== null) clearInterval(this.keepAlive);
    this.keepAlive = null;
    if (this.up) {
      this.up = false;
      this.emit('down', 'closed');
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retry !== null) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.open();
    }, this.retryMs);
    this.retry.unref();
  }

  /** Opens the link now if it is down (e.g. after the NS told us its tickle port). */
  poke(): void {
    if (this.socket !== null || this.stopped) return;
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    this.open();
  }

  close(): void {
    this.stopped = true;
    if (this.retry !== null) clearTimeout(this.retry);
    if (this.keepAlive !== null) clearInterval(this.keepAlive);
    this.socket?.destroy();
    this.socket = null;
  }
}
