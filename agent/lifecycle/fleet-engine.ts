// The fleet engine: every simulated agent of a slice as rows of typed arrays, driven by one
// FleetSchedule through the lifecycle of notes §2.4 (install, register, basic inventory, policies on
// the served interval, software delivery with status events) and by tickles/wakes from the listeners.
// One request per agent at a time, a global cap on requests in flight; errors are counted and retried
// with backoff, never thrown. It never opens listeners itself (agent/listen does).
import { parseMac, type FleetIdentities } from '../fleet/identity.js';
import type { InboundSink, InboundVia } from '../listen/inbound.js';
import { FleetSchedule } from '../load/schedule.js';
import type { Endpoint, LoadStats, Outcome } from '../load/stats.js';
import { Command } from '../../shared/protocol/tickle.js';
import { FleetHttpClient, type HttpResult } from './http-client.js';
import type { KeyPool } from './key-pool.js';
import { PackageHoldings } from './package-holdings.js';
import { SourceSpeeds, SPEED_CACHE_MS } from './source-speeds.js';
import type { PackageMulticast } from './package-multicast.js';
import { runStep, Step, type StepResult } from './steps.js';

export const Flag = { AWAKE: 1, REGISTERED: 2, INSTALLED: 4, INVENTORIED: 8, BUSY: 16, QUEUED: 32, WANT_CONFIG: 64, WANT_INVENTORY: 128 } as const;
export const DEFAULT_CONFIG_INTERVAL_MS = 3_600_000;
export const DEFAULT_INVENTORY_INTERVAL_MS = 86_400_000;

export interface FleetEngineOptions {
  readonly ids: FleetIdentities;
  readonly start: number;
  readonly end: number;
  readonly ns: string;
  readonly ca?: string | Buffer;
  readonly insecure?: boolean;
  readonly trustedServer: string;
  readonly keys: KeyPool;
  readonly stats: LoadStats;
  /** Overrides the served configuration interval (ms). */
  readonly intervalMs?: number;
  /** Divides every interval and backoff. */
  readonly accelerate?: number;
  /** +/- fraction applied to every interval. */
  readonly jitter?: number;
  readonly rampMs?: number;
  readonly concurrency?: number;
  /** Bind each agent's own loopback address as its source address. */
  readonly sourceAddress?: boolean;
  readonly install?: boolean;
  /** Software delivery of the packages the policies name (default true; off for pure check-in load). */
  readonly delivery?: boolean;
  /** Agents that start asleep (fraction 0..1, the lowest indexes). */
  readonly asleep?: number;
  readonly requestTimeoutMs?: number;
  /** Open model: check-ins per second from a generator instead of the agents' intervals. */
  readonly rate?: number;
  /** Registrations (CreateResource) per second at most; agents over the cap wait for their slot. */
  readonly registrationRate?: number;
  /** Idle keep-alive sockets kept open at most (see FleetHttpClient). */
  readonly idleSockets?: number;
  readonly random?: () => number;
}

export class FleetEngine implements InboundSink {
  readonly size: number;
  readonly flags: Uint8Array;
  readonly next: Uint8Array;
  readonly retries: Uint8Array;
  readonly intervalMs: Float64Array;
  readonly nextInventoryAt: Float64Array;
  readonly lastCheckin: Float64Array;
  readonly checkins: Uint32Array;
  /** Interned policy hash per agent (0 = none). */
  readonly hashId: Uint16Array;
  readonly hashes: string[] = [''];
  /** Basic inventory interval from the served policy (one value for the fleet). */
  inventoryIntervalMs = DEFAULT_INVENTORY_INTERVAL_MS;
  readonly http: FleetHttpClient;
  /** Packages each agent wants and holds; null when delivery is off. */
  readonly holdings: PackageHoldings | null;
  /** Each agent's cached speed checks and per-source download penalties; null when delivery is off. */
  readonly sourceSpeeds: SourceSpeeds | null;
  /** The process's package multicast (set by the runner when it is on), else null: every package over HTTP(S). */
  packageMulticast: PackageMulticast | null = null;
  readonly opts: FleetEngineOptions;
  readonly schedule: FleetSchedule;
  private readonly queue: Int32Array;
  private qHead = 0;
  private qLen = 0;
  inflight = 0;
  private stopped = false;
  private openTimer: NodeJS.Timeout | null = null;
  private readonly idle: Array<() => void> = [];
  /** Parked steps waiting for a request slot to continue (served before the queue). */
  private readonly resumers: Array<() => void> = [];
  /** 1 while an agent waits for the registration slot it was given (registration-rate cap). */
  private readonly regPaced: Uint8Array;
  private readonly regGapMs: number;
  /** Requests in flight at most (--concurrency). */
  private readonly maxInflight: number;
  private regNextAt = 0;

  constructor(opts: FleetEngineOptions) {
    this.opts = opts;
    this.size = opts.end - opts.start;
    const n = this.size;
    this.flags = new Uint8Array(n).fill(Flag.AWAKE);
    this.next = new Uint8Array(n).fill(opts.install ? Step.INSTALL : Step.REGISTER);
    this.retries = new Uint8Array(n);
    this.intervalMs = new Float64Array(n).fill(opts.intervalMs ?? DEFAULT_CONFIG_INTERVAL_MS);
    this.nextInventoryAt = new Float64Array(n).fill(Infinity);
    this.lastCheckin = new Float64Array(n);
    this.checkins = new Uint32Array(n);
    this.hashId = new Uint16Array(n);
    this.holdings = opts.delivery === false ? null : new PackageHoldings(n);
    this.sourceSpeeds = opts.delivery === false ? null : new SourceSpeeds(n, SPEED_CACHE_MS / (opts.accelerate ?? 1));
    this.queue = new Int32Array(Math.max(1, n));
    this.schedule = new FleetSchedule(Math.max(1, n), (i, at) => this.due(i, at));
    this.regGapMs = opts.registrationRate ? 1000 / opts.registrationRate : 0;
    this.maxInflight = opts.concurrency ?? 2000;
    this.regPaced = new Uint8Array(this.regGapMs > 0 ? n : 0);
    this.http = new FleetHttpClient({ base: opts.ns, ...(opts.ca ? { ca: opts.ca } : {}), insecure: opts.insecure ?? false, timeoutMs: opts.requestTimeoutMs ?? 30_000,
      ...(opts.idleSockets !== undefined ? { idleSockets: opts.idleSockets } : {}) });
    const asleep = Math.floor((opts.asleep ?? 0) * n);
    for (let k = 0; k < asleep; k++) this.flags[k]! &= ~Flag.AWAKE;
  }

  /** Schedules every awake agent's first step over the ramp; starts the open-model generator. */
  start(): void {
    const now = performance.now();
    const ramp = this.opts.rampMs ?? 0;
    for (let k = 0; k < this.size; k++) {
      if (this.flags[k]! & Flag.AWAKE) this.schedule.at(k, now + (this.size > 1 ? (ramp * k) / this.size : 0));
    }
    if (this.opts.rate) this.startOpenModel(this.opts.rate);
  }

  /** Stops scheduling; resolves when requests in flight have finished (or after `graceMs`). */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.schedule.stop();
    if (this.openTimer) clearInterval(this.openTimer);
    if (this.inflight > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, graceMs);
        this.idle.push(() => { clearTimeout(t); resolve(); });
      });
    }
    this.http.close();
  }

  // ---- InboundSink (fleet-local indexes are global index - start) ----
  private local(global: number): number {
    return global >= this.opts.start && global < this.opts.end ? global - this.opts.start : -1;
  }
  indexOfIp(ip: string): number { return this.local(this.opts.ids.indexOfIp(ip)); }
  indexOfGuid(guid: string): number { return this.local(this.opts.ids.indexOfGuid(guid)); }
  indexOfMac(mac: string): number { const b = parseMac(mac); return b ? this.local(this.opts.ids.indexOfMac(b)) : -1; }
  forEachIndex(fn: (index: number) => void): void { for (let k = 0; k < this.size; k++) fn(k); }
  isAwake(k: number): boolean { return (this.flags[k]! & Flag.AWAKE) !== 0; }
  trustedServer(): string { return this.opts.trustedServer; }

  onTickle(k: number, commands: number, _via: InboundVia): void {
    if (commands & Command.POWER_OFF) {
      this.flags[k]! &= ~(Flag.AWAKE | Flag.WANT_CONFIG | Flag.WANT_INVENTORY);
      this.schedule.cancel(k);
      if (this.regPaced.length) this.regPaced[k] = 0;
      return;
    }
    if (commands & Command.SEND_BASIC_INVENTORY) this.flags[k]! |= Flag.WANT_INVENTORY;
    if (commands & Command.REQUEST_CONFIGURATION) this.flags[k]! |= Flag.WANT_CONFIG;
    this.kick(k);
  }

  onWake(k: number, _via: InboundVia): void {
    if (this.isAwake(k)) return;
    this.flags[k]! |= Flag.AWAKE | Flag.WANT_CONFIG; // a computer that boots requests its configuration
    this.kick(k);
  }

  /** Runs the agent's wanted work now unless it is already busy (then it follows on completion). */
  private kick(k: number): void {
    if (this.flags[k]! & (Flag.BUSY | Flag.QUEUED) || this.stopped) return;
    this.pickNext(k);
    this.schedule.at(k, performance.now());
  }

  private pickNext(k: number): void {
    const f = this.flags[k]!;
    if (!(f & Flag.REGISTERED)) return; // registration comes first whatever was asked
    if (f & Flag.WANT_INVENTORY) this.next[k] = Step.INVENTORY;
    else if (f & Flag.WANT_CONFIG) this.next[k] = Step.POLICIES;
  }

  // ---- scheduling and dispatch ----
  private due(k: number, at: number): void {
    if (this.stopped || !this.isAwake(k)) return;
    this.opts.stats.recordLag((performance.now() - at) * 1000);
    if (this.regGapMs > 0 && this.next[k] === Step.REGISTER && this.paceRegistration(k)) return;
    if (this.inflight >= this.maxInflight) {
      this.flags[k]! |= Flag.QUEUED;
      this.queue[(this.qHead + this.qLen++) % this.queue.length] = k;
      return;
    }
    void this.run(k, performance.now());
  }

  /** True when the agent was moved to a later registration slot (one slot every 1000/rate ms). */
  private paceRegistration(k: number): boolean {
    if (this.regPaced[k]) {
      this.regPaced[k] = 0; // this is its slot
      return false;
    }
    const now = performance.now();
    const slot = Math.max(this.regNextAt, now);
    this.regNextAt = slot + this.regGapMs;
    if (slot <= now) return false;
    this.regPaced[k] = 1;
    this.schedule.at(k, slot);
    return true;
  }

  /**
   * Awaits `p` without holding a request slot (a package multicast receiver listening for blocks, an
   * election window): other agents use the slot meanwhile; the step continues once a slot is free.
   */
  async parked<T>(p: Promise<T>): Promise<T> {
    this.inflight -= 1;
    this.pump();
    try {
      return await p;
    } finally {
      if (this.inflight < this.maxInflight && this.resumers.length === 0) this.inflight += 1;
      else await new Promise<void>((resolve) => this.resumers.push(resolve)); // pump() counts the slot
    }
  }

  private pump(): void {
    while (this.resumers.length > 0 && this.inflight < this.maxInflight) {
      this.inflight += 1;
      this.resumers.shift()!();
    }
    while (this.qLen > 0 && this.inflight < this.maxInflight && !this.stopped) {
      const k = this.queue[this.qHead]!;
      this.qHead = (this.qHead + 1) % this.queue.length;
      this.qLen -= 1;
      this.flags[k]! &= ~Flag.QUEUED;
      void this.run(k, performance.now());
    }
  }

  private async run(k: number, sentAt: number, intended = sentAt): Promise<void> {
    const step = this.next[k]! as Step;
    this.flags[k]! |= Flag.BUSY;
    if (step === Step.INVENTORY) this.flags[k]! &= ~Flag.WANT_INVENTORY;
    if (step === Step.POLICIES) this.flags[k]! &= ~Flag.WANT_CONFIG;
    this.inflight += 1;
    let r: StepResult;
    try {
      r = await runStep(this, k, step);
    } catch {
      r = { endpoint: 'post-event', outcome: 'other' };
    }
    this.inflight -= 1;
    this.flags[k]! &= ~Flag.BUSY;
    const end = performance.now();
    if (!r.recorded) this.opts.stats.record(r.endpoint, r.outcome, (end - intended) * 1000, (end - sentAt) * 1000);
    if (!this.stopped) this.after(k, step, r);
    if (this.inflight === 0) for (const f of this.idle.splice(0)) f();
    this.pump();
  }

  private after(k: number, step: Step, r: StepResult): void {
    const now = performance.now();
    if (r.outcome !== 'ok' || r.next === undefined) {
      this.retries[k] = Math.min(this.retries[k]! + 1, 10);
      this.schedule.at(k, now + this.backoffMs(k, r.retryAfterMs));
      return;
    }
    this.retries[k] = 0;
    this.next[k] = r.next;
    if (r.next === Step.NONE) return; // blocked by the registration policy: stays silent
    if (r.next === Step.IDLE) {
      if (!this.isAwake(k)) return;
      if (this.flags[k]! & (Flag.WANT_CONFIG | Flag.WANT_INVENTORY)) return this.kick(k);
      if (this.opts.rate) return; // the open-model generator drives check-ins
      const cfgAt = now + this.jittered(this.intervalMs[k]!);
      const invAt = this.nextInventoryAt[k]!;
      this.next[k] = invAt < cfgAt ? Step.INVENTORY : Step.POLICIES;
      this.schedule.at(k, Math.min(cfgAt, invAt));
      return;
    }
    // A step that follows at once (register -> inventory -> policies -> delivery) keeps the agent's
    // request slot and its keep-alive connection, as a real agent's sequence does, instead of going
    // to the back of the queue behind the whole fleet. Registrations still go through the pacer.
    if ((r.delayMs ?? 0) <= 0 && r.next !== Step.REGISTER) {
      void this.run(k, now);
      return;
    }
    this.schedule.at(k, now + (r.delayMs ?? 0));
    void step;
  }

  jittered(ms: number): number {
    const j = this.opts.jitter ?? 0.1;
    const rnd = this.opts.random ?? Math.random;
    return (ms / (this.opts.accelerate ?? 1)) * (1 + j * (2 * rnd() - 1));
  }

  private backoffMs(k: number, retryAfterMs?: number): number {
    const base = retryAfterMs ?? Math.min(1000 * 2 ** (this.retries[k]! - 1), 600_000);
    return this.jittered(base);
  }

  internHash(hash: string): number {
    let id = this.hashes.indexOf(hash);
    if (id < 0 && this.hashes.length < 65_535) id = this.hashes.push(hash) - 1;
    return Math.max(0, id);
  }

  // ---- open model ----
  private startOpenModel(rate: number): void {
    const t0 = performance.now();
    let sent = 0;
    let cursor = 0;
    this.openTimer = setInterval(() => {
      const owed = Math.floor(((performance.now() - t0) * rate) / 1000) - sent;
      for (let o = 0; o < owed; o++) {
        const k = this.freeRegistered(cursor);
        if (k < 0) break; // every agent busy: the lag shows in the next sends' latency
        cursor = (k + 1) % this.size;
        const intended = t0 + (sent * 1000) / rate;
        sent += 1;
        this.opts.stats.recordLag((performance.now() - intended) * 1000);
        this.next[k] = Step.POLICIES;
        void this.run(k, performance.now(), intended);
      }
    }, 2);
  }

  private freeRegistered(from: number): number {
    for (let s = 0; s < this.size; s++) {
      const k = (from + s) % this.size;
      const f = this.flags[k]!;
      if ((f & (Flag.REGISTERED | Flag.AWAKE | Flag.INVENTORIED)) === (Flag.REGISTERED | Flag.AWAKE | Flag.INVENTORIED)
        && !(f & (Flag.BUSY | Flag.QUEUED)) && !this.schedule.isScheduled(k) && this.checkins[k]! > 0) return k;
    }
    return -1;
  }

  /** Counts of agents by state (for metrics and the live line). */
  states(): Record<'asleep' | 'unregistered' | 'registered' | 'checked-in' | 'busy', number> {
    const s = { asleep: 0, unregistered: 0, registered: 0, 'checked-in': 0, busy: 0 };
    for (let k = 0; k < this.size; k++) {
      const f = this.flags[k]!;
      if (!(f & Flag.AWAKE)) s.asleep += 1;
      else if (!(f & Flag.REGISTERED)) s.unregistered += 1;
      else if (this.checkins[k]! > 0) s['checked-in'] += 1;
      else s.registered += 1;
      if (f & Flag.BUSY) s.busy += 1;
    }
    return s;
  }
}

export type { Endpoint, Outcome, HttpResult };
