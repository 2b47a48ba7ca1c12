// The NS access log: W3C extended lines in the IIS field layout, written asynchronously (one write
// a tick) to <data>/logs/W3SVC1/u_exYYMMDD.log and rolled at UTC midnight, with the directive
// header on every new file and every start, as IIS does. Never blocks a request: when the disk
// falls behind by more than maxBufferedBytes, lines are dropped and counted instead.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { encodeW3cLine, w3cFileName, w3cHeader, type W3cEntry } from '../../../shared/protocol/w3c-log.js';

export interface AccessLogOptions {
  readonly enabled: boolean;
  /** Folder of the log files; default <data>/logs/W3SVC1. */
  readonly dir?: string;
  /** Bytes waiting for the disk before lines are dropped. */
  readonly maxBufferedBytes: number;
}

export const DEFAULT_ACCESS_LOG: AccessLogOptions = { enabled: true, maxBufferedBytes: 8 * 1024 * 1024 };

export class AccessLog {
  readonly dir: string;
  private readonly software: string;
  private readonly maxBuffered: number;
  private stream: WriteStream | null = null;
  private day = '';
  /** UTC day [start, end) in ms of the open file; a line outside it rolls the file. */
  private dayStart = 0;
  private dayEnd = 0;
  private pending = '';
  private scheduled = false;
  private closed = false;
  /** Lines dropped because the disk fell behind. */
  dropped = 0;
  /** Lines handed to the file stream. */
  written = 0;

  constructor(dir: string, software: string, maxBufferedBytes = DEFAULT_ACCESS_LOG.maxBufferedBytes) {
    this.dir = dir;
    this.software = software;
    this.maxBuffered = maxBufferedBytes;
    mkdirSync(dir, { recursive: true });
  }

  /** The file the next line for `at` goes to. */
  fileFor(at: Date): string {
    return join(this.dir, w3cFileName(at));
  }

  write(entry: W3cEntry): void {
    if (this.closed) return;
    const ms = entry.at.getTime();
    if (ms >= this.dayEnd || ms < this.dayStart) this.roll(entry.at);
    if ((this.stream?.writableLength ?? 0) + this.pending.length > this.maxBuffered) {
      this.dropped += 1;
      return;
    }
    this.pending += encodeW3cLine(entry);
    this.written += 1;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending === '' || this.stream === null) return;
    this.stream.write(this.pending);
    this.pending = '';
  }

  private roll(at: Date): void {
    this.flush();
    this.stream?.end();
    const day = w3cFileName(at);
    this.dayStart = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
    this.dayEnd = this.dayStart + 86_400_000;
    this.day = day;
    this.stream = createWriteStream(join(this.dir, day), { flags: 'a' });
    this.stream.on('error', () => {
      this.dropped += 1;
    });
    this.pending = w3cHeader(this.software, at);
  }

  /** Writes what is pending and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    const s = this.stream;
    this.stream = null;
    if (s !== null) await new Promise<void>((resolve) => s.end(() => resolve()));
  }
}
