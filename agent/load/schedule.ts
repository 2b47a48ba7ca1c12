// One scheduler for the whole fleet: an indexed binary min-heap of due times over typed arrays and a
// single timer armed for the earliest entry. No timer or closure per agent; O(log n) to (re)schedule.
// It only says which agents are due; it never performs their work itself.

export class FleetSchedule {
  private readonly due: Float64Array;
  private readonly heap: Int32Array;
  /** Position of each agent in the heap, -1 when not scheduled. */
  private readonly pos: Int32Array;
  private size = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private stopped = false;
  private readonly onDue: (index: number, dueAt: number) => void;
  private readonly now: () => number;

  constructor(capacity: number, onDue: (index: number, dueAt: number) => void, now: () => number = () => performance.now()) {
    this.due = new Float64Array(capacity);
    this.heap = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
    this.onDue = onDue;
    this.now = now;
  }

  get pending(): number {
    return this.size;
  }

  isScheduled(index: number): boolean {
    return this.pos[index]! >= 0;
  }

  dueAt(index: number): number {
    return this.pos[index]! >= 0 ? this.due[index]! : Infinity;
  }

  /** Schedules (or moves) an agent to run at `at` (same clock as `now`). */
  at(index: number, at: number): void {
    if (this.pos[index]! < 0) {
      this.heap[this.size] = index;
      this.pos[index] = this.size;
      this.size += 1;
      this.due[index] = at;
      this.up(this.size - 1);
    } else {
      const old = this.due[index]!;
      this.due[index] = at;
      if (at < old) this.up(this.pos[index]!);
      else this.down(this.pos[index]!);
    }
    this.arm();
  }

  cancel(index: number): void {
    const p = this.pos[index]!;
    if (p < 0) return;
    this.removeAt(p);
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Runs every entry due by now (at most `limit`); returns how many ran. Public for tests and pumps. */
  runDue(limit = Infinity): number {
    const now = this.now();
    let ran = 0;
    while (this.size > 0 && ran < limit) {
      const top = this.heap[0]!;
      const at = this.due[top]!;
      if (at > now) break;
      this.removeAt(0);
      ran += 1;
      this.onDue(top, at);
    }
    return ran;
  }

  private arm(): void {
    if (this.stopped || this.size === 0) return;
    const next = this.due[this.heap[0]!]!;
    if (this.timer && next >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => this.fire(), Math.max(0, Math.min(next - this.now(), 2 ** 31 - 1)));
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    // Bounded batches keep the event loop responsive for sockets when a large cohort is due at once.
    const ran = this.runDue(2000);
    if (this.stopped) return;
    if (ran === 2000 && this.size > 0 && this.due[this.heap[0]!]! <= this.now()) {
      // An agent re-scheduled while running (e.g. given a later registration slot) may have armed
      // a timer meanwhile: replace it, never leave it behind (it would outlive stop()).
      if (this.timer) clearTimeout(this.timer);
      this.timerAt = this.now();
      this.timer = setTimeout(() => this.fire(), 0);
      return;
    }
    this.arm();
  }

  private removeAt(p: number): void {
    const idx = this.heap[p]!;
    this.pos[idx] = -1;
    this.size -= 1;
    if (p === this.size) return;
    const last = this.heap[this.size]!;
    this.heap[p] = last;
    this.pos[last] = p;
    this.up(p);
    this.down(this.pos[last]!);
  }

  private up(p: number): void {
    const { heap, due, pos } = this;
    const idx = heap[p]!;
    const d = due[idx]!;
    while (p > 0) {
      const parent = (p - 1) >> 1;
      const pi = heap[parent]!;
      if (due[pi]! <= d) break;
      heap[p] = pi;
      pos[pi] = p;
      p = parent;
    }
    heap[p] = idx;
    pos[idx] = p;
  }

  private down(p: number): void {
    const { heap, due, pos } = this;
    const idx = heap[p]!;
    const d = due[idx]!;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const c = r < this.size && due[heap[r]!]! < due[heap[l]!]! ? r : l;
      const ci = heap[c]!;
      if (due[ci]! >= d) break;
      heap[p] = ci;
      pos[ci] = p;
      p = c;
    }
    heap[p] = idx;
    pos[idx] = p;
  }
}
