// What the fleet's inbound listeners need from the fleet: finding an agent by address, GUID or MAC,
// its trusted server, and what to do when a tickle or wake arrives. Counters of what was received
// and dropped, by kind and reason (never by agent), for metrics and reports.

export type InboundVia = 'tcp' | 'multicast' | 'magic' | 'relay';

export interface InboundSink {
  /** Fleet index owning this IPv4 address, or -1. */
  indexOfIp(ip: string): number;
  /** Fleet index named by this GUID (upper-case text, no braces), or -1. */
  indexOfGuid(guid: string): number;
  /** Fleet index owning this MAC (12 upper-case hex digits), or -1. */
  indexOfMac(mac: string): number;
  /** Every index the fleet runs (for "all agents" multicast tickles). */
  forEachIndex(fn: (index: number) => void): void;
  isAwake(index: number): boolean;
  /** The server name this agent trusts (its `TrustedServer`). */
  trustedServer(index: number): string;
  onTickle(index: number, commands: number, via: InboundVia): void;
  onWake(index: number, via: InboundVia): void;
}

export type DropReason = 'untrusted-server' | 'bad-hmac' | 'unsigned' | 'malformed' | 'unknown-agent' | 'asleep' | 'timeout';

export class InboundCounters {
  readonly received: Record<InboundVia, number> = { tcp: 0, multicast: 0, magic: 0, relay: 0 };
  /** Agents that acted on a message (one multicast datagram can reach many). */
  readonly acted: Record<InboundVia, number> = { tcp: 0, multicast: 0, magic: 0, relay: 0 };
  readonly dropped: Record<DropReason, number> = {
    'untrusted-server': 0, 'bad-hmac': 0, unsigned: 0, malformed: 0, 'unknown-agent': 0, asleep: 0, timeout: 0,
  };

  drop(reason: DropReason): void {
    this.dropped[reason] += 1;
  }
}
