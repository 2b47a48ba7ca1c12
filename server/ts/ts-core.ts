// The part of a Task Server that exists once per TS, whether it runs in one process or as a
// primary with workers: the client registry and its cap, registration with the NS, the one 50123
// link, job fetches, status reports and the loopback remoting ports. Never touches agent sockets:
// it hands "tickle these clients" to whoever holds their links.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Server } from 'node:net';
import { bindError } from '../../shared/bind-error.js';
import { createLogger, type Logger } from '../../shared/log.js';
import { normalizeGuid } from '../../shared/protocol/guid-bytes.js';
import type { StatusDoc } from '../../shared/protocol/task-xml.js';
import { ClientRegistry, type ClientRecord, type TsTask } from './client-registry.js';
import { createTsMetrics, type TsMetrics } from './metrics.js';
import { hostOf, NsClient } from './ns-client.js';
import { NsLink } from './ns-link.js';
import { channelSettings, TS_DEFAULTS, type ResolvedTsOptions, type TaskServerOptions } from './options.js';
import { RejectLog } from './reject-log.js';
import { createRemotingServer, listenLoopback } from './remoting.js';
import { StatusReporter } from './status-reporter.js';

const REREGISTER_MS = 15_000;
/** Delay before a grown client count is reported to the NS (batches a burst of registrations). */
const COUNT_REPORT_MS = 250;
const DEFAULT_POLL_MS = 30 * 60_000;

export interface Bound {
  readonly address: string;
  readonly port: number;
}

/** What the agent-facing side (this process or the workers) bound; registered with the NS. */
export interface AgentFacing {
  readonly http: Bound;
  readonly https: Bound | null;
  readonly channel: Bound;
}

export interface TsIdentity {
  guid: string;
  name: string;
  channelPort: number;
  keepAliveMs: number;
  pollIntervalMs: number;
}

export interface CoreHooks {
  /** Send "work waiting" to these clients (they hold a link somewhere) with the new task version. */
  tickle(recs: readonly ClientRecord[], taskVersion: number): void;
  /** New tasks learnt from the NS (workers keep a copy of the task table). */
  tasksAdded?(tasks: readonly TsTask[]): void;
  /** The NS pushed new settings over 50123. */
  settingsChanged?(settings: ResolvedTsOptions, pollIntervalMs: number): void;
}

export class TsCore {
  readonly log: Logger;
  readonly guid: string;
  readonly name: string;
  readonly metrics: TsMetrics = createTsMetrics();
  readonly rejects: RejectLog;
  readonly registry: ClientRegistry;
  readonly link: NsLink;
  settings: ResolvedTsOptions;
  pollIntervalMs = DEFAULT_POLL_MS;
  knownVersion = 0;
  private readonly ns: NsClient;
  private readonly reporter: StatusReporter;
  private readonly remoting: Server[];
  private facing: AgentFacing | null = null;
  private ticklePort: number | null;
  private fetching: Promise<void> | null = null;
  private fetchAgain = false;
  private regTimer: NodeJS.Timeout | null = null;
  private countSoon = false;
  private closed = false;
  private readonly started = Date.now();
  private markRegistered: () => void = () => undefined;
  /** Resolves after the NS first accepted this TS's registration (agents asking the NS then find it). */
  readonly registered: Promise<void> = new Promise((resolve) => (this.markRegistered = resolve));

  constructor(private readonly opts: TaskServerOptions, private readonly hooks: CoreHooks) {
    this.log = opts.logger ?? createLogger({ level: 'info', name: 'ts' });
    this.guid = normalizeGuid(opts.guid ?? randomUUID());
    this.name = opts.name ?? hostname();
    this.settings = channelSettings(opts);
    this.rejects = new RejectLog(this.log, this.metrics);
    this.registry = new ClientRegistry(this.settings.maxClients, () => this.reportCountSoon());
    this.ns = new NsClient(opts.nsUrl);
    this.reporter = new StatusReporter(this.ns, () => this.guid, opts.reportBatch ?? TS_DEFAULTS.reportBatch,
      opts.reportIntervalMs ?? TS_DEFAULTS.reportIntervalMs, this.metrics, this.log);
    this.ticklePort = opts.nsTicklePort ?? null;
    this.link = new NsLink(() => (this.ticklePort === null ? null : { host: hostOf(opts.nsUrl), port: this.ticklePort }),
      { guid: this.guid, name: this.name }, opts.nsRetryMs ?? TS_DEFAULTS.nsRetryMs, this.log);
    this.link.on('tickle', () => this.fetchWork());
    this.link.on('up', () => this.fetchWork());
    this.link.on('settings', (s) => this.applySettings(s));
    this.remoting = [1, 2].map((i) => createRemotingServer(`ts-remoting-${i}`, (what) => (what === 2 ? this.counts() : this.statusFields()),
      this.rejects, this.log));
  }

  identity(): TsIdentity {
    return { guid: this.guid, name: this.name, channelPort: this.facing?.channel.port ?? 0, keepAliveMs: this.settings.keepAliveMs, pollIntervalMs: this.pollIntervalMs };
  }

  counts(): { registered: number; connected: number; max: number } {
    return { registered: this.registry.size, connected: this.registry.connectedCount, max: this.registry.maxClients };
  }

  statusFields(): Record<string, string | number> {
    return {
      guid: `{${this.guid}}`, name: this.name, status: 'ok', nsLink: this.link.up ? 'up' : 'down', registered: this.registry.size,
      connected: this.registry.connectedCount, maxClients: this.registry.maxClients, taskVersion: this.knownVersion,
      uptimeS: Math.round((Date.now() - this.started) / 1000),
    };
  }

  /** A status an agent posted: a final one clears the task from its list; every one goes to the NS. */
  onStatus(rec: ClientRecord, s: StatusDoc): void {
    if (s.state === 'completed' || s.state === 'failed') this.registry.finish(rec, s.taskId);
    this.reporter.add(s);
  }

  /** Binds 50121/50122 on loopback (whatever --bind says). */
  async listenRemoting(port: (flow: string) => number): Promise<[number, number]> {
    const on = (i: 0 | 1, flow: string): Promise<number> => {
      const p = this.opts.remotingPorts?.[i] ?? port(flow);
      return listenLoopback(this.remoting[i]!, p).catch((err: unknown) => {
        throw bindError(err, { flow, host: '127.0.0.1', port: p });
      });
    };
    return [await on(0, 'ts-remoting-1'), await on(1, 'ts-remoting-2')];
  }

  /** The agent-facing listeners are up: register with the NS and open the 50123 link. */
  start(facing: AgentFacing): void {
    this.facing = facing;
    this.link.start();
    void this.registerWithNs();
  }

  private applySettings(s: Readonly<Record<string, string>>): void {
    const num = (k: string): number | undefined => (s[k] !== undefined && /^\d+$/.test(s[k]) ? Number(s[k]) : undefined);
    const maxClients = num('maxClients');
    const keepAliveMs = num('keepAliveMs');
    const poll = num('pollIntervalMs');
    this.settings = channelSettings({ ...this.opts, ...(maxClients ? { maxClients } : {}), ...(keepAliveMs ? { keepAliveMs } : {}) });
    this.registry.maxClients = this.settings.maxClients;
    if (poll) this.pollIntervalMs = poll;
    this.hooks.settingsChanged?.(this.settings, this.pollIntervalMs);
    this.log.info({ settings: s }, 'new task server settings from the NS');
  }

  /** A new client: tell the NS the new count soon (one re-registration per burst). */
  private reportCountSoon(): void {
    if (this.countSoon || this.closed || this.facing === null) return;
    this.countSoon = true;
    setTimeout(() => {
      this.countSoon = false;
      if (this.regTimer !== null) clearTimeout(this.regTimer);
      void this.registerWithNs();
    }, COUNT_REPORT_MS).unref();
  }

  private fetchWork(): void {
    if (this.fetching !== null) {
      this.fetchAgain = true;
      return;
    }
    this.fetching = (async () => {
      do {
        this.fetchAgain = false;
        const { version, tasks } = await this.ns.tasksSince(this.guid, this.knownVersion);
        const ts: TsTask[] = tasks.map((t) => ({ ...t, targets: t.targets === null ? null : new Set(t.targets) }));
        const fresh = ts.filter((t) => this.registry.task(t.id) === undefined);
        if (fresh.length > 0) this.hooks.tasksAdded?.(fresh);
        const touched = this.registry.addTasks(ts);
        this.knownVersion = Math.max(this.knownVersion, version);
        if (touched.length > 0) {
          this.hooks.tickle(touched, this.knownVersion);
          this.log.info({ tasks: ts.length, agents: touched.length, version }, 'work waiting sent');
        }
      } while (this.fetchAgain && !this.closed);
    })().catch((err: unknown) => {
      this.log.warn({ err: (err as Error).message }, 'fetching work from the NS failed; next tickle or re-registration retries');
    }).finally(() => {
      this.fetching = null;
    });
  }

  private async registerWithNs(): Promise<void> {
    const facing = this.facing;
    if (facing === null || this.closed) return;
    try {
      const reg = await this.ns.register({
        guid: this.guid, name: this.name, url: advertisedUrl(facing, this.opts.agentScheme),
        channelHost: hostOf(urlOf(facing.channel)), channelPort: facing.channel.port,
        shares: this.opts.shares ?? TS_DEFAULTS.shares, clients: this.registry.size, maxClients: this.registry.maxClients,
      });
      this.markRegistered();
      const told = this.opts.nsTicklePort ?? (reg.ticklePort === 0 ? null : reg.ticklePort);
      const changed = this.ticklePort !== told;
      this.ticklePort = told;
      if (this.ticklePort !== null && (changed || !this.link.up)) this.link.poke();
      if (reg.taskVersion > this.knownVersion) this.fetchWork();
    } catch (err) {
      this.log.warn({ err: (err as Error).message, ns: this.opts.nsUrl }, 'registration with the NS failed; retrying');
    } finally {
      if (!this.closed) {
        this.regTimer = setTimeout(() => void this.registerWithNs(), this.link.up ? REREGISTER_MS : (this.opts.nsRetryMs ?? TS_DEFAULTS.nsRetryMs));
        this.regTimer.unref();
      }
    }
  }

  /** Stops the link and timers; statuses still queued are sent (best effort). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.regTimer !== null) clearTimeout(this.regTimer);
    this.link.close();
    await this.reporter.close();
    await Promise.all(this.remoting.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** The pages URL agents are told: HTTPS when asked for and served, else HTTP. */
export function advertisedUrl(facing: AgentFacing, scheme: 'http' | 'https' | undefined): string {
  return scheme === 'https' && facing.https !== null ? urlOf(facing.https, 'https') : urlOf(facing.http);
}

export function urlOf(a: Bound, scheme = 'http'): string {
  const host = a.address === '0.0.0.0' || a.address === '::' ? '127.0.0.1' : a.address;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${a.port}`;
}
