// Fuzz: random and mutated bytes through the frame reader and every TS message decoder give frames,
// values or typed SmpErrors; never a crash and never more than one frame's bytes held.
import t from 'tap';
import { isSmpError } from '../../../shared/errors.js';
import { FrameReader, HEADER_SIZE, type FrameSpec, type Frame } from '../../../shared/protocol/frame.js';
import { decodeChannelMessage, encodeChannelMessage, TASK_CHANNEL } from '../../../shared/protocol/task-channel.js';
import { decodeTickleMessage, encodeTickleMessage, TS_TICKLE } from '../../../shared/protocol/ts-tickle.js';
import { decodeRemotingMessage, encodeRemotingMessage, TS_REMOTING } from '../../../shared/protocol/ts-remoting.js';

let seed = 0x5eed1234;
const rnd = (n: number): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};
const randomBytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => rnd(256)));

function mutate(b: Buffer): Buffer {
  const out = Buffer.from(b);
  const edits = 1 + rnd(4);
  for (let i = 0; i < edits && out.length > 0; i++) out[rnd(out.length)] = rnd(256);
  return rnd(4) === 0 ? out.subarray(0, rnd(out.length + 1)) : out;
}

const channels: [FrameSpec, (f: Frame) => unknown, Buffer[]][] = [
  [TASK_CHANNEL, decodeChannelMessage, [
    encodeChannelMessage({ type: 'hello', guid: '8B031AC8-AB06-4460-998C-94837C9C4AE8', name: 'WS-1' }),
    encodeChannelMessage({ type: 'work-waiting', seq: 1, taskVersion: 2 }),
    encodeChannelMessage({ type: 'error', code: 3, reason: 'why' }),
  ]],
  [TS_TICKLE, decodeTickleMessage, [
    encodeTickleMessage({ type: 'tickle', taskVersion: 9, agents: ['8B031AC8-AB06-4460-998C-94837C9C4AE8'] }),
    encodeTickleMessage({ type: 'settings', settings: { maxClients: '10' } }),
  ]],
  [TS_REMOTING, decodeRemotingMessage, [encodeRemotingMessage({ type: 'reply', json: '{}' })]],
];

t.test('random and mutated input: a value or a typed error', async (t) => {
  let values = 0;
  let errors = 0;
  for (const [spec, decode, samples] of channels) {
    for (let i = 0; i < 4000; i++) {
      const base = samples[rnd(samples.length)]!;
      const input = i % 3 === 0 ? randomBytes(rnd(64)) : i % 3 === 1 ? mutate(base) : Buffer.concat([base, mutate(base)]);
      const reader = new FrameReader(spec);
      try {
        let at = 0;
        while (at < input.length) {
          const step = 1 + rnd(16);
          for (const f of reader.push(input.subarray(at, at + step))) {
            try {
              decode(f);
              values++;
            } catch (err) {
              if (!isSmpError(err)) throw err;
              errors++;
            }
          }
          at += step;
          if (reader.buffered > HEADER_SIZE + spec.maxPayload) t.fail(`reader holds ${reader.buffered} bytes`);
        }
      } catch (err) {
        if (!isSmpError(err)) throw err;
        errors++;
      }
    }
  }
  t.ok(values > 0, `${values} decoded values`);
  t.ok(errors > 0, `${errors} typed errors`);
});
