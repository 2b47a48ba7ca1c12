// Where the real Notification Server (server/ns) takes over from the catalog responder: the NS's own
// HTTP and HTTPS ports, when every role sharing them is one the NS serves pages for (ns only: the
// TS, package-server, device and Workflow pages live elsewhere). In-memory store, throw-away state:
// respond is a presence test, never a place where agent data must survive.
import type { ListenerSpec } from './plan.js';
import type { TlsIdentity } from './tls-identity.js';

export interface RealNs {
  readonly http: number | null;
  readonly https: number | null;
  close(): Promise<void>;
}

const SERVES: ReadonlySet<string> = new Set(['ns']);

/** Why the catalog responder keeps this NS port, or null when the real NS can take it. */
export function realNsBlocked(spec: ListenerSpec): string | null {
  const others = spec.roles.filter((r) => !SERVES.has(r));
  return others.length === 0 ? null : `port shared with ${others.join(',')}, whose pages the real NS does not serve: catalog responder used`;
}

/** The real NS on the given HTTP (and, with a certificate, HTTPS) specs; rejects with the bind error. */
export async function startRealNs(http: ListenerSpec | null, https: ListenerSpec | null, tls: TlsIdentity | null, bind: string): Promise<RealNs> {
  const { createNotificationServer } = await import('../../server/ns/server.js');
  const ns = await createNotificationServer({
    bind, store: 'memory', seedPolicies: true,
    ...(http ? { httpPort: http.port } : {}),
    ...(https && tls ? { httpsPort: https.port, tls: { cert: tls.cert, key: tls.key } } : {}),
  });
  const bound = await ns.listen();
  return { http: bound.http?.port ?? null, https: bound.https?.port ?? null, close: () => ns.close() };
}
