// Benchmark child: opens COUNT connections to a 50124 port, each from its own source address
// (1,000 per address under PREFIX, e.g. 127.3.x.y), says hello as agent FIRST+i and keeps alive.
// Reports progress over IPC; {cmd:'close'} ends it. Never part of npm test.
import { connect, type Socket } from 'node:net';
import { FrameReader } from '../shared/protocol/frame.js';
import { encodeChannelMessage, MSG, TASK_CHANNEL } from '../shared/protocol/task-channel.js';

const [portArg, countArg, prefix = '127.3', firstArg = '0', mode = 'hello'] = process.argv.slice(2);
const port = Number(portArg);
const count = Number(countArg);
const first = Number(firstArg);
const PER_ADDRESS = 1000;
const IN_FLIGHT = 400;

type BenchSocket = Socket & { reader?: FrameReader; acked?: boolean };
const sockets: BenchSocket[] = [];
let connected = 0;
let failed = 0;
let next = 0;
let inFlight = 0;

const guidOf = (n: number): string => {
  const h = n.toString(16).padStart(12, '0');
  return `BE4C0000-0000-4000-8000-${h}`;
};
const addressOf = (i: number): string => {
  const a = Math.floor(i / PER_ADDRESS);
  return `${prefix}.${Math.floor(a / 250)}.${(a % 250) + 1}`;
};

function onFrameData(this: BenchSocket, chunk: Buffer): void {
  if (this.acked) return;
  for (const f of this.reader!.push(chunk)) {
    if (f.type === MSG.ACK) {
      this.acked = true;
      this.reader = undefined;
      connected++;
      inFlight--;
      pump();
      return;
    }
  }
}

function open(i: number): void {
  inFlight++;
  const s = connect({ port, host: '127.0.0.1', localAddress: addressOf(i) }) as BenchSocket;
  sockets.push(s);
  s.on('error', () => undefined);
  s.once('close', () => {
    if (!s.acked) {
      failed++;
      inFlight--;
      pump();
    }
  });
  if (mode === 'bare') {
    s.once('connect', () => {
      s.acked = true;
      connected++;
      inFlight--;
      pump();
    });
    return;
  }
  s.reader = new FrameReader(TASK_CHANNEL);
  s.on('data', onFrameData);
  s.once('connect', () => s.write(encodeChannelMessage({ type: 'hello', guid: guidOf(first + i), name: `BENCH-${first + i}` })));
}

function pump(): void {
  while (inFlight < IN_FLIGHT && next < count) open(next++);
  if (connected + failed === count) process.send?.({ done: true, connected, failed });
}

setInterval(() => process.send?.({ progress: true, connected, failed }), 500).unref();
// Keep-alives every 20 s keep the links inside the TS's 3 x 60 s deadline.
setInterval(() => {
  if (mode === 'bare') return;
  const ka = encodeChannelMessage({ type: 'keepalive', seq: 1 });
  for (const s of sockets) if (s.acked && !s.destroyed) s.write(ka);
}, 20_000).unref();
process.on('message', () => {
  for (const s of sockets) s.destroy();
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));
pump();
