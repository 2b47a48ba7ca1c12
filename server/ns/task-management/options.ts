// Options of the NS's Task Management part with their defaults (docs/ts.md lists them). Part of
// NsOptions as `tasks`; never reads the environment.
export const SERVER_FIND_METHODS = ['FewestComputers', 'FastestConnection', 'AvailableCapacity'] as const;
export type ServerFindMethod = (typeof SERVER_FIND_METHODS)[number];

export interface TaskManagementOptions {
  /** NS tickle server port (flow ts-tickle-server); 0 = ephemeral. Default: the port map's, else 0. */
  readonly ticklePort?: number;
  /** How agents choose among task servers (the task agent settings policy in SMP). */
  readonly serverFindMethod: ServerFindMethod;
  /** Keep-alive interval on the 50123 links (ms). */
  readonly tickleKeepAliveMs: number;
  /** What PersistentSettings.aspx tells agents: reconnect delay and HTTP polling interval (ms). */
  readonly reconnectMs: number;
  readonly pollIntervalMs: number;
  /** A task server not heard from for this long is not offered to agents (ms). */
  readonly taskServerTtlMs: number;
  /** Most task server links the tickle server holds. */
  readonly maxTaskServers: number;
}

export const DEFAULT_TASK_MANAGEMENT: TaskManagementOptions = {
  serverFindMethod: 'FewestComputers',
  tickleKeepAliveMs: 30_000,
  reconnectMs: 60_000,
  pollIntervalMs: 30 * 60_000,
  taskServerTtlMs: 60_000,
  maxTaskServers: 256,
};
