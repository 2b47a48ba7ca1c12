// Options of a Task Server instance with their defaults in one place (docs/ts.md lists them).
// Never reads the environment; the `ts` verb builds this object from its resolved config.
import type { Logger } from '../../shared/log.js';
import type { PortMap } from '../../shared/ports.js';

export interface TaskServerOptions {
  /** NS base URL, e.g. http://127.0.0.1:80; the TS registers there and reports statuses. */
  readonly nsUrl: string;
  /** Where ports come from; the explicit *Port fields win (0 = ephemeral). */
  readonly ports?: PortMap;
  readonly httpPort?: number;
  readonly httpsPort?: number;
  readonly channelPort?: number;
  readonly remotingPorts?: readonly [number, number];
  /** NS tickle server port (50123); learnt from RegisterTaskServer when absent. */
  readonly nsTicklePort?: number;
  /** Address of the agent-facing listeners (HTTP, HTTPS, 50124). 50121/50122 stay on loopback. */
  readonly bind?: string;
  /** HTTPS listener (PEM); without it only HTTP is served. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Which of its page URLs the TS registers with the NS for agents (default http; https needs tls). */
  readonly agentScheme?: 'http' | 'https';
  /** GUID of this TS (stable across restarts when given). */
  readonly guid?: string;
  /** Name reported to the NS and agents (an FQDN in SMP). */
  readonly name?: string;
  /** Most registered clients (Register.aspx); SMP's default is 5,000. */
  readonly maxClients?: number;
  /** Connections that have not said hello yet, at most. */
  readonly maxPendingHellos?: number;
  /** Interval at which agents send keep-alives (ms); told to them in the hello acknowledgement. */
  readonly keepAliveMs?: number;
  /** A link silent for this long is dropped (ms); default 3 x keepAliveMs. */
  readonly deadAfterMs?: number;
  /** A new connection must say hello within this time (ms). */
  readonly helloTimeoutMs?: number;
  /** Frames one link may send per keep-alive interval before it is dropped as a flood. */
  readonly maxFramesPerInterval?: number;
  /** Status batches to the NS: at most this many per post, at least this often (ms). */
  readonly reportBatch?: number;
  readonly reportIntervalMs?: number;
  /** Shares this TS offers for AvailableCapacity selection. */
  readonly shares?: number;
  /** Delay before the TS retries its NS link (ms). */
  readonly nsRetryMs?: number;
  readonly logger?: Logger;
}

export const TS_DEFAULTS = {
  maxClients: 5000,
  maxPendingHellos: 1024,
  keepAliveMs: 30_000,
  helloTimeoutMs: 10_000,
  maxFramesPerInterval: 64,
  reportBatch: 500,
  reportIntervalMs: 200,
  shares: 100,
  nsRetryMs: 5_000,
  bodyLimit: 256 * 1024,
  /** Largest output text a task status may carry (bytes). */
  maxOutputBytes: 4096,
} as const;

export interface ResolvedTsOptions {
  readonly maxClients: number;
  readonly maxPendingHellos: number;
  readonly keepAliveMs: number;
  readonly deadAfterMs: number;
  readonly helloTimeoutMs: number;
  readonly maxFramesPerInterval: number;
}

export function channelSettings(o: TaskServerOptions): ResolvedTsOptions {
  const keepAliveMs = o.keepAliveMs ?? TS_DEFAULTS.keepAliveMs;
  return {
    maxClients: o.maxClients ?? TS_DEFAULTS.maxClients,
    maxPendingHellos: o.maxPendingHellos ?? TS_DEFAULTS.maxPendingHellos,
    keepAliveMs,
    deadAfterMs: o.deadAfterMs ?? keepAliveMs * 3,
    helloTimeoutMs: o.helloTimeoutMs ?? Math.min(TS_DEFAULTS.helloTimeoutMs, keepAliveMs * 3),
    maxFramesPerInterval: o.maxFramesPerInterval ?? TS_DEFAULTS.maxFramesPerInterval,
  };
}
