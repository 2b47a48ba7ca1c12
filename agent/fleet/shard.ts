// Which slice of the fleet this process runs: `--shard i/n` or a Kubernetes Indexed Job's
// JOB_COMPLETION_INDEX / JOB_COMPLETION_COUNT (handed in by the verb, never read from process.env here).
// Shards are contiguous, disjoint and together cover the whole fleet.
import { configError } from '../../shared/errors.js';

export interface Shard {
  /** 0-based shard number. */
  readonly index: number;
  readonly count: number;
}

export interface FleetSlice {
  /** First fleet index of this shard. */
  readonly start: number;
  /** One past the last fleet index of this shard. */
  readonly end: number;
}

export const WHOLE: Shard = { index: 0, count: 1 };

/** `--shard i/n` (0-based i), or the Indexed Job variables when no flag is given. */
export function resolveShard(flag: string | undefined, job: { index?: string; count?: string } = {}): Shard {
  if (flag !== undefined && flag !== '') {
    const m = /^(\d+)\/(\d+)$/.exec(flag.trim());
    const shard = m ? { index: Number(m[1]), count: Number(m[2]) } : null;
    if (shard === null || shard.count < 1 || shard.index >= shard.count) {
      throw configError('--shard', flag, 'i/n with 0 <= i < n, e.g. 0/4');
    }
    return shard;
  }
  if (job.index !== undefined && job.index !== '') {
    const index = Number(job.index);
    const count = Number(job.count ?? '');
    if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 0 || index >= count) {
      throw configError('JOB_COMPLETION_INDEX/JOB_COMPLETION_COUNT', `${job.index}/${job.count ?? ''}`,
        'both set, with 0 <= JOB_COMPLETION_INDEX < JOB_COMPLETION_COUNT');
    }
    return { index, count };
  }
  return WHOLE;
}

/** The contiguous slice of a fleet of `total` agents that shard `s` owns. */
export function sliceOf(total: number, s: Shard): FleetSlice {
  return { start: Math.floor((s.index * total) / s.count), end: Math.floor(((s.index + 1) * total) / s.count) };
}
