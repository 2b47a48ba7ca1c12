// Options of a Notification Server instance with their defaults, in one place (docs/ns.md lists
// them). Plugins of other areas add their own option fields here. Never reads the environment.
import type { ConsoleFeedOptions } from './console-app/live.js';
import type { Logger } from '../../shared/log.js';
import type { PortMap } from '../../shared/ports.js';
import type { StoreKind, StoreTuning } from './store/index.js';
import type { RegistrationState } from './store/resources.js';
import type { NsPlugin } from './context.js';
import type { NsTickleOptions } from './tickle/plugin.js';
import type { TaskManagementOptions } from './task-management/options.js';
import type { NsPackageOptions } from './packages/options.js';
import type { AccessLogOptions } from './observability/access-log.js';
import type { RequestFiltering } from './observability/install.js';
import type { NsConsoleOptions } from './console-access/options.js';

export interface NsLimits {
  /** Largest request body of an agent page other than PostEvent (bytes). */
  readonly bodyLimit: number;
  /** Largest PostEvent body (bytes); events above 20 MiB go to the `large` queue. */
  readonly eventBodyLimit: number;
  /** Largest XML document parsed (bytes) and deepest nesting. */
  readonly xmlMaxBytes: number;
  readonly xmlMaxDepth: number;
  /** Time to receive a whole request, headers and body (ms); 408 after it. */
  readonly requestTimeoutMs: number;
  /** Time to receive the request headers (ms). */
  readonly headersTimeoutMs: number;
  /** Idle keep-alive connection lifetime (ms). */
  readonly keepAliveTimeoutMs: number;
  /** Largest request header block (bytes). */
  readonly maxHeaderSize: number;
  /**
   * Connections the kernel queues per listener before the NS accepts them (the kernel caps it at
   * net.core.somaxconn). Node's default, 511, overflows when thousands of agents connect in a burst
   * while the event loop is busy: their SYNs are dropped and they retry seconds later or are reset.
   */
  readonly listenBacklog: number;
  /**
   * Bytes of request bodies all listeners may receive at once (server/ns/body-budget.ts); a request
   * whose body does not fit gets 503 + Retry-After before its body is read.
   */
  readonly bodyBudget: number;
}

export const DEFAULT_LIMITS: NsLimits = {
  bodyLimit: 1024 * 1024,
  eventBodyLimit: 64 * 1024 * 1024,
  xmlMaxBytes: 64 * 1024 * 1024,
  xmlMaxDepth: 32,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 120_000,
  maxHeaderSize: 16 * 1024,
  listenBacklog: 4096,
  bodyBudget: 256 * 1024 * 1024,
};

export interface NsEventOptions {
  /** Unprocessed events one queue may hold before PostEvent answers "back off". */
  readonly queueMax: number;
  /** How often the processor drains the queues (ms); 0 stops processing (events stay queued). */
  readonly drainIntervalMs: number;
  /** Events processed per queue per drain. */
  readonly drainBatch: number;
  /** Retention: processed events older than this are purged (ms; 0 keeps them whatever their age). */
  readonly retainMs?: number;
  /** Retention: processed events kept at most (0: no count limit). */
  readonly retainCount?: number;
  /** How often the purge runs (ms; 0: never). */
  readonly purgeEveryMs?: number;
}

/** SMP purges processed events on a schedule; these bound the store the same way by default. */
export const DEFAULT_RETENTION = { retainMs: 7 * 24 * 3600_000, retainCount: 100_000, purgeEveryMs: 60_000 } as const;

export const DEFAULT_EVENT_OPTIONS: NsEventOptions = { queueMax: 10_000, drainIntervalMs: 100, drainBatch: 200, ...DEFAULT_RETENTION };

export interface NsTlsOptions {
  readonly certFile?: string;
  readonly keyFile?: string;
  /** PEM text instead of files (tests). */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** TLS session lifetime for resumption (s). */
  readonly sessionTimeoutS?: number;
}

export interface NsOptions {
  /** Where ports come from; `httpPort`/`httpsPort` win (0 = ephemeral). */
  readonly ports?: PortMap;
  readonly httpPort?: number;
  readonly httpsPort?: number;
  readonly bind?: string;
  /** HTTPS listener; without it only HTTP is served. */
  readonly tls?: NsTlsOptions;
  readonly store?: StoreKind;
  readonly dataDir?: string;
  readonly storeTuning?: Partial<StoreTuning>;
  readonly limits?: Partial<NsLimits>;
  readonly events?: Partial<NsEventOptions>;
  /** State of a newly registered computer (the registration policy). */
  readonly registrationPolicy?: RegistrationState;
  /** nsVersion written in policy answers. */
  readonly nsVersion?: string;
  readonly logger?: Logger;
  /** Extra plugins (tests, embedding); the standard set is NS_PLUGINS. */
  readonly plugins?: readonly NsPlugin[];
  /** Tickle and wake senders (POST /Altiris/Console/api/tickle). */
  readonly tickle?: NsTickleOptions;
  /** Installers, lab packages, package servers and agent-information pages (server/ns/packages/options.ts). */
  readonly packages?: Partial<NsPackageOptions>;
  /** W3C access log (server/ns/observability/access-log.ts); on by default in the data folder. */
  readonly accessLog?: Partial<AccessLogOptions>;
  /** IIS request filtering limits (query string 2048, URL 4096 bytes by default). */
  readonly requestFiltering?: Partial<RequestFiltering>;
  /** Seed the lab policy set into an empty store (default true). */
  readonly seedPolicies?: boolean;
  /** Task Management (task servers, tickle server, task agents' settings). */
  readonly tasks?: Partial<TaskManagementOptions>;
  /** Console access: lab account, session lifetimes, optional separate listener (docs/console.md). */
  readonly console?: NsConsoleOptions;
  /** The web console's live feed (server/ns/console-app/live.ts). */
  readonly consoleFeed?: Partial<ConsoleFeedOptions>;
}

export const DEFAULT_DATA_DIR = '.lab/ns';
export const DEFAULT_NS_VERSION = '7.6.1645.0';
