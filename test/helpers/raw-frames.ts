// A raw TCP peer for the smp-lab frame channels: send bytes, collect the frames the server sends
// back until it closes (or a deadline passes). Used to prove how each port treats bad input.
import { connect, type Socket } from 'node:net';
import { FrameReader, type Frame, type FrameSpec } from '../../shared/protocol/frame.js';

export interface RawPeer {
  readonly socket: Socket;
  readonly frames: Frame[];
  closed(): boolean;
  write(b: Buffer): void;
  /** Resolves when the server has closed the connection (rejects after ms). */
  waitClosed(ms?: number): Promise<void>;
  /** Resolves with the first frame of `type` seen (rejects after ms). */
  waitFrame(type: number, ms?: number): Promise<Frame>;
}

export function rawPeer(spec: FrameSpec, port: number, host = '127.0.0.1', localAddress?: string): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host, ...(localAddress ? { localAddress } : {}) });
    const reader = new FrameReader(spec);
    const frames: Frame[] = [];
    let isClosed = false;
    socket.on('data', (c: Buffer) => {
      try {
        frames.push(...reader.push(c));
      } catch {
        socket.destroy();
      }
    });
    socket.on('close', () => (isClosed = true));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({
      socket, frames, closed: () => isClosed,
      write: (b) => socket.write(b),
      waitClosed: (ms = 5000) => new Promise((res, rej) => {
        if (isClosed) return res();
        const timer = setTimeout(() => rej(new Error(`server did not close within ${ms} ms`)), ms);
        socket.once('close', () => {
          clearTimeout(timer);
          res();
        });
      }),
      waitFrame: (type, ms = 5000) => new Promise((res, rej) => {
        const deadline = Date.now() + ms;
        const check = (): void => {
          const f = frames.find((x) => x.type === type);
          if (f) return res(f);
          if (Date.now() > deadline) return rej(new Error(`no frame of type ${type} within ${ms} ms`));
          setTimeout(check, 5);
        };
        check();
      }),
    }));
    socket.once('error', reject);
  });
}
