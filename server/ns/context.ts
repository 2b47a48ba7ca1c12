// What every NS plugin receives: the store, the resolved options and limits, the logger and the
// server's own metrics registry. A plugin is one IIS virtual directory (a prefix) registered as an
// encapsulated fastify plugin; it must never open listeners or databases of its own.
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../../shared/log.js';
import type { BodyBudget } from './body-budget.js';
import type { ConsoleAccess } from './console-access/access.js';
import type { ConsoleFeed } from './console-app/feed.js';
import type { LiveBroadcaster } from './console-app/live.js';
import type { NsStore } from './store/index.js';
import type { NsEventOptions, NsLimits, NsOptions } from './options.js';

export interface NsContext {
  readonly store: NsStore;
  readonly options: NsOptions;
  readonly limits: NsLimits;
  /** Request bodies in flight on every listener against limits.bodyBudget. */
  readonly bodyBudget: BodyBudget;
  readonly events: NsEventOptions;
  readonly nsVersion: string;
  readonly log: Logger;
  /** Prometheus registry of this server instance (never the global one). */
  readonly metrics: Registry;
  /** The console's live feed: the NS publishes what happens here (O(1) counters). */
  readonly feed: ConsoleFeed;
  /** Sends the feed to the console's WebSocket clients once an interval (/Altiris/Console/live). */
  readonly live: LiveBroadcaster;
  /** Bound addresses once listening (for pages that tell agents where the NS is). */
  readonly bound: () => NsAddresses;
  /** Who may use /Altiris/Console (the guard and the login routes share it). */
  readonly consoleAccess: ConsoleAccess;
}

export interface BoundAddress {
  readonly address: string;
  readonly port: number;
}

export interface NsAddresses {
  readonly http: BoundAddress | null;
  readonly https: BoundAddress | null;
  /** The separate console listener (--console-port), or null when the console shares the agent listeners. */
  readonly console: (BoundAddress & { readonly scheme: 'http' | 'https' }) | null;
}

export interface NsPlugin {
  readonly name: string;
  /** Canonical IIS virtual directory, e.g. `/Altiris/NS/Agent`; paths under it match in any case. */
  readonly prefix: string;
  register(app: FastifyInstance, ctx: NsContext): Promise<void>;
}

export const defineNsPlugin = (p: NsPlugin): NsPlugin => p;
