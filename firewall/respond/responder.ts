// Starts the catalog responders of a plan: one socket per (transport, address, port), the right
// protocol on each, and reports what is listening and what could not be bound (with the reason).
// Never exits the process and never retries a port another service holds.
import type { Server, Socket as NetSocket } from 'node:net';
import type { Role } from '../../shared/catalog-types.js';
import type { PortMap } from '../../shared/ports.js';
import { startDatagramResponder } from './datagram-responders.js';
import { createHttpResponder } from './http-responder.js';
import { explainBindError, planResponders, type ListenerSpec } from './plan.js';
import { realNsBlocked } from './real-ns.js';
import { startSnmpResponder } from './snmp-responders.js';
import { createSshResponder } from './ssh-responder.js';
import {
  createFtpResponder, createHandshakeResponder, createMsrpcResponder, createSmbResponder, createSmtpResponder,
} from './stream-responders.js';
import { loadTlsIdentity, type TlsIdentityOptions, type TlsIdentity } from './tls-identity.js';

export interface RespondOptions extends TlsIdentityOptions {
  readonly map: PortMap;
  readonly roles: readonly Role[];
  /** Address for every non-loopback-only listener; 0.0.0.0 by default. */
  readonly bind?: string;
  /** Never use the real listeners (server/ns), only catalog responders. */
  readonly catalogOnly?: boolean;
}

export interface BoundListener {
  readonly spec: ListenerSpec;
  /** The port actually bound (differs from spec.port only when spec.port is 0). */
  readonly port: number;
  /** Extra facts to print (real listener used, multicast interfaces that could not join). */
  readonly notes: string[];
}

interface RealTakeover {
  readonly taken: Set<ListenerSpec>;
  readonly listening: BoundListener[];
  readonly failed: { spec: ListenerSpec; reason: string }[];
  readonly notes: { spec: ListenerSpec; note: string }[];
  readonly close: (() => Promise<void>) | null;
}

/** The real NS on its HTTP and HTTPS ports when both are free of roles it has no pages for. */
async function takeRealNs(opts: RespondOptions, listeners: readonly ListenerSpec[], tls: TlsIdentity | null): Promise<RealTakeover | null> {
  if (!opts.roles.includes('ns')) return null;
  const find = (id: string): ListenerSpec | undefined =>
    listeners.find((l) => l.transport === 'tcp' && l.port === opts.map.port(id) && l.flows.some((f) => f.id === id));
  const http = find('ns-agent-http');
  const https = find('ns-agent-https');
  if (http === undefined || https === undefined || tls === null) return null;
  const blocked = realNsBlocked(http) ?? realNsBlocked(https);
  if (blocked !== null) {
    return { taken: new Set(), listening: [], failed: [], close: null,
      notes: [http, https].map((spec) => ({ spec, note: `real Notification Server not used: ${blocked}` })) };
  }
  const { startRealNs } = await import('./real-ns.js');
  try {
    const ns = await startRealNs(http, https, tls, opts.bind ?? '0.0.0.0');
    const note = 'served by the real Notification Server (server/ns, in-memory store)';
    return { taken: new Set([http, https]), failed: [], notes: [], close: ns.close,
      listening: [{ spec: http, port: ns.http ?? http.port, notes: [note] }, { spec: https, port: ns.https ?? https.port, notes: [note] }] };
  } catch (err) {
    const reason = `real Notification Server: ${explainBindError((err as { cause?: unknown }).cause ?? err, http.port)}`;
    return { taken: new Set([http, https]), listening: [], notes: [], close: null,
      failed: [{ spec: http, reason }, { spec: https, reason }] };
  }
}

export interface Responders {
  readonly listening: readonly BoundListener[];
  readonly failed: readonly { readonly spec: ListenerSpec; readonly reason: string }[];
  readonly unbound: ReturnType<typeof planResponders>['unbound'];
  readonly tls: TlsIdentity | null;
  close(): Promise<void>;
}

export async function startResponders(opts: RespondOptions): Promise<Responders> {
  const plan = planResponders(opts.map, opts.roles, opts.bind ?? '0.0.0.0');
  const needsTls = plan.listeners.some((l) => l.tls);
  const tls = needsTls ? await loadTlsIdentity({ ...opts, ips: [opts.bind ?? '127.0.0.1', '127.0.0.1'] }) : null;
  const listening: BoundListener[] = [];
  const failed: { spec: ListenerSpec; reason: string }[] = [];
  const closers: (() => Promise<void>)[] = [];
  const real = opts.catalogOnly ? null : await takeRealNs(opts, plan.listeners, tls);
  if (real !== null) {
    listening.push(...real.listening);
    failed.push(...real.failed);
    if (real.close) closers.push(real.close);
  }
  const catalog = plan.listeners.filter((l) => !real?.taken.has(l));
  await Promise.all(catalog.map(async (spec) => {
    try {
      const started = await startOne(spec, tls);
      listening.push({ spec, port: started.port, notes: started.notes });
      closers.push(started.close);
    } catch (err) {
      failed.push({ spec, reason: explainBindError(err, spec.port) });
    }
  }));
  if (real !== null) for (const n of real.notes) listening.find((l) => l.spec === n.spec)?.notes.push(n.note);
  const order = (a: { spec: ListenerSpec }, b: { spec: ListenerSpec }): number =>
    a.spec.port - b.spec.port || a.spec.transport.localeCompare(b.spec.transport);
  listening.sort(order);
  failed.sort(order);
  return {
    listening, failed, unbound: plan.unbound, tls,
    close: async () => {
      await Promise.all(closers.map((c) => c()));
    },
  };
}

interface Started {
  readonly port: number;
  readonly notes: string[];
  close(): Promise<void>;
}

async function startOne(spec: ListenerSpec, tls: TlsIdentity | null): Promise<Started> {
  if (spec.transport !== 'tcp') {
    if (spec.protocol === 'snmp' || spec.protocol === 'snmp-trap') {
      const r = await startSnmpResponder(spec);
      return { port: r.socket.address().port, notes: [], close: r.close };
    }
    const d = await startDatagramResponder(spec);
    return {
      port: d.socket.address().port,
      notes: d.joinFailures.map((f) => `could not join ${spec.group ?? ''} on ${f}`),
      close: () => new Promise((resolve) => d.socket.close(() => resolve())),
    };
  }
  return listenTcp(tcpServer(spec, tls), spec);
}

function tcpServer(spec: ListenerSpec, tls: TlsIdentity | null): Server {
  switch (spec.protocol) {
    case 'http':
    case 'https':
    case 'amt':
    case 'ws-man':
      return createHttpResponder(spec, spec.tls ? tls : null);
    case 'ssh':
      return createSshResponder();
    case 'ftp':
      return createFtpResponder();
    case 'smtp':
      return createSmtpResponder();
    case 'smb':
      return createSmbResponder(false);
    case 'netbios-ssn':
      return createSmbResponder(true);
    case 'msrpc':
      return createMsrpcResponder();
    default:
      return createHandshakeResponder(spec);
  }
}

function listenTcp(server: Server, spec: ListenerSpec): Promise<Started> {
  const sockets = new Set<NetSocket>();
  server.on('connection', (s: NetSocket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: spec.port, host: spec.address, backlog: 511 }, () => {
      server.off('error', reject);
      server.on('error', () => undefined);
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr !== null ? addr.port : spec.port,
        notes: [],
        close: () => new Promise((done) => {
          for (const s of sockets) s.destroy();
          server.close(() => done());
        }),
      });
    });
  });
}
