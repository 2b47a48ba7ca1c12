// The parent's side of inbound work for a fleet spread over worker processes: the one tickle listener
// and wake socket of the parent find the agent (by address, GUID or MAC) in the parent's slice, and this
// router hands the tickle or wake to the worker owning that agent, batched per event-loop turn. It keeps
// one byte per agent: whether it is awake, mirrored exactly from the tickles and wakes it routes.
import { parseMac, type FleetIdentities } from '../fleet/identity.js';
import type { FleetSlice } from '../fleet/shard.js';
import type { InboundSink, InboundVia } from '../listen/inbound.js';
import { Command } from '../../shared/protocol/tickle.js';
import { InboundKind, VIA } from './worker-messages.js';

export interface InboundRouterOptions {
  readonly ids: FleetIdentities;
  /** The parent's slice of the fleet (global indexes). */
  readonly slice: FleetSlice;
  /** Each worker's slice (global indexes), in order, covering `slice`. */
  readonly workers: readonly FleetSlice[];
  readonly trustedServer: string;
  /** Fraction of each worker's agents that start asleep (the lowest indexes, as the engine does). */
  readonly asleep: number;
  /** Delivers [local index, kind, (via << 16) | commands] triples to worker `w`. */
  readonly deliver: (w: number, items: number[]) => void;
}

export class InboundRouter implements InboundSink {
  private readonly o: InboundRouterOptions;
  private readonly awake: Uint8Array;
  private readonly pending: number[][];
  private flushing = false;

  constructor(o: InboundRouterOptions) {
    this.o = o;
    this.awake = new Uint8Array(o.slice.end - o.slice.start).fill(1);
    for (const w of o.workers) {
      const asleep = Math.floor(o.asleep * (w.end - w.start));
      this.awake.fill(0, w.start - o.slice.start, w.start - o.slice.start + asleep);
    }
    this.pending = o.workers.map(() => []);
  }

  private local(global: number): number {
    return global >= this.o.slice.start && global < this.o.slice.end ? global - this.o.slice.start : -1;
  }
  indexOfIp(ip: string): number { return this.local(this.o.ids.indexOfIp(ip)); }
  indexOfGuid(guid: string): number { return this.local(this.o.ids.indexOfGuid(guid)); }
  indexOfMac(mac: string): number { const b = parseMac(mac); return b ? this.local(this.o.ids.indexOfMac(b)) : -1; }
  forEachIndex(fn: (index: number) => void): void { for (let k = 0; k < this.awake.length; k++) fn(k); }
  isAwake(k: number): boolean { return this.awake[k] === 1; }
  trustedServer(): string { return this.o.trustedServer; }

  onTickle(k: number, commands: number, via: InboundVia): void {
    if (commands & Command.POWER_OFF) this.awake[k] = 0;
    this.route(k, InboundKind.TICKLE, (VIA.indexOf(via) << 16) | (commands & 0xffff));
  }

  onWake(k: number, via: InboundVia): void {
    if (this.awake[k]) return;
    this.awake[k] = 1;
    this.route(k, InboundKind.WAKE, VIA.indexOf(via) << 16);
  }

  private route(k: number, kind: number, arg: number): void {
    const global = this.o.slice.start + k;
    const w = this.o.workers.findIndex((s) => global >= s.start && global < s.end);
    if (w < 0) return;
    this.pending[w]!.push(global - this.o.workers[w]!.start, kind, arg);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushing = false;
    this.pending.forEach((items, w) => {
      if (items.length === 0) return;
      this.pending[w] = [];
      this.o.deliver(w, items);
    });
  }
}
