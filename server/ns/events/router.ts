// The event router's queue choice, with the thresholds of the real AeXNSEventRouter (KB 178452,
// KB 179470): below FastQueueThreshold -> fast (EvtQFast), below SlowQueueThreshold -> normal
// (EvtQueue), below LargeQueueThreshold -> slow (EvtQSlow), else large (EvtQLarge). Sizes are of the
// decompressed NSE in bytes. Never stores anything itself.
import type { EventQueue } from '../store/events.js';

export const FAST_QUEUE_THRESHOLD = 15_000;
export const SLOW_QUEUE_THRESHOLD = 1_048_576;
export const LARGE_QUEUE_THRESHOLD = 20_971_520;

/** NSCap folder name of each queue, for log lines and answers. */
export const QUEUE_FOLDERS: Readonly<Record<EventQueue, string>> = {
  fast: 'EvtQFast', normal: 'EvtQueue', slow: 'EvtQSlow', large: 'EvtQLarge',
};

export function queueFor(size: number): EventQueue {
  if (size < FAST_QUEUE_THRESHOLD) return 'fast';
  if (size < SLOW_QUEUE_THRESHOLD) return 'normal';
  if (size < LARGE_QUEUE_THRESHOLD) return 'slow';
  return 'large';
}

/** HRESULT the real NS logs when it tells an agent to back off (KB 179877). */
export const BACK_OFF_HRESULT = '0x80056007';
