// The console's live feed over a real WebSocket: registrations, check-ins and events reach a
// browser-like client aggregated per interval; a client that never reads is skipped once its
// buffer passes the bound (the NS's per-client buffer stays bounded) while another keeps receiving.
import t from 'tap';
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { decodeCreateResourceResponse } from '../../../../shared/protocol/create-resource.js';
import { agentKey } from '../../../helpers/agent-key.js';
import { inventoryNse, register, XML } from '../../../helpers/agent-requests.js';
import { send, startTestNs } from '../../../helpers/ns.js';
import { waitUntil } from '../../../helpers/wait.js';
import { adminHeaders, basicAuth } from '../../../helpers/console-credentials.js';

interface Tick {
  type: string; seq: number; totals: Record<string, number>; eventsByClass: Record<string, number>;
  recent: { checkIns: string[]; registrations: { guid: string; name: string }[] };
}

function client(url: string): { ws: WebSocket; ticks: Tick[]; opened: Promise<void> } {
  const ws = new WebSocket(url, { headers: adminHeaders() });
  const ticks: Tick[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as Tick;
    if (m.type === 'tick') ticks.push(m);
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, ticks, opened };
}

t.test('registrations, check-ins and events reach the feed', async (t) => {
  const lab = await startTestNs({ store: 'memory', consoleFeed: { intervalMs: 50 } });
  t.teardown(() => lab.close());
  const c = client(`${lab.http.replace('http', 'ws')}/Altiris/Console/live`);
  t.teardown(() => c.ws.close());
  await c.opened;
  const guid = decodeCreateResourceResponse((await register(lab.http, { name: 'FEED-1', policyKey: agentKey().policyKey })).text).guid;
  await send(lab.http, `/Altiris/NS/Agent/GetClientPolicies.aspx?WrkstaGuid=${guid}&Hash=`);
  await send(lab.http, '/Altiris/NS/Agent/PostEvent.aspx', { headers: XML, body: inventoryNse(guid, 'FEED-1') });
  const seen = await waitUntil(() => {
    const all = c.ticks;
    const last = all.at(-1);
    return last && last.totals['events']! >= 1 ? all : null;
  }, 'a tick carrying the event', 5000);
  t.ok(seen.some((m) => m.recent.registrations.some((r) => r.guid === guid && r.name === 'FEED-1')), 'the registration by name');
  t.ok(seen.some((m) => m.recent.checkIns.includes(guid)), 'the check-in by GUID');
  const last = seen.at(-1)!;
  t.equal(last.totals['registrations'], 1);
  t.equal(last.totals['checkIns'], 1);
  t.ok(Object.keys(last.eventsByClass).length === 1, 'events by class');
  t.ok(seen.every((m, i) => i === 0 || m.seq > seen[i - 1]!.seq), 'sequence numbers rise');
  const other = await fetch(`${lab.http}/Altiris/Console/live`, { headers: adminHeaders() });
  t.equal(other.status, 404, 'a plain GET is not a feed');
});

/** A WebSocket client that completes the handshake and then never reads a byte. */
async function stalledClient(port: number): Promise<Socket> {
  const sock = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('error', reject);
  });
  sock.write('GET /Altiris/Console/live HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
    + `Authorization: ${basicAuth()}\r\n`
    + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  await new Promise<void>((resolve) => sock.once('data', () => resolve()));
  sock.pause();
  return sock;
}

t.test('a client that never reads is skipped; the NS buffer stays bounded; others still get updates', async (t) => {
  const bound = 16 * 1024;
  const lab = await startTestNs({ store: 'memory', accessLog: { enabled: false }, consoleFeed: { intervalMs: 10, maxBufferedBytes: bound } });
  t.teardown(() => lab.close());
  const port = Number(new URL(lab.http).port);
  const stalled = await stalledClient(port);
  t.teardown(() => stalled.destroy());
  const good = client(`ws://127.0.0.1:${port}/Altiris/Console/live`);
  t.teardown(() => good.ws.close());
  await good.opened;
  // Lots of activity: every interval's message carries full recent lists (about 15 KB).
  const feed = lab.ns.context.feed;
  let n = 0;
  const pump = setInterval(() => {
    for (let i = 0; i < 100; i += 1) {
      const g = `${String(n++).padStart(8, '0')}-0000-4000-8000-000000000000`;
      feed.checkIn(g);
      feed.registration(g, `PUMP-${n}`, 'allowed');
      feed.taskStatus('11111111-0000-4000-8000-000000000000', g, 'completed');
    }
  }, 5);
  t.teardown(() => clearInterval(pump));
  type Live = { clients: { buffered: number; sent: number; skipped: number }[] };
  const live = async (): Promise<Live> => (await (await fetch(`${lab.http}/Altiris/Console/api/live`, { headers: adminHeaders() })).json()) as Live;
  const maxMessage = 64 * 1024;
  let peak = 0;
  const skipping = await waitUntil(async () => {
    const s = await live();
    for (const c of s.clients) peak = Math.max(peak, c.buffered);
    return s.clients.find((c) => c.skipped > 20);
  }, 'the stalled client to be skipped', 60_000, 50);
  const before = good.ticks.length;
  for (let i = 0; i < 20; i += 1) {
    const s = await live();
    for (const c of s.clients) peak = Math.max(peak, c.buffered);
    await waitUntil(() => good.ticks.length > before + i, 'the reading client to keep receiving', 5000);
  }
  t.ok(skipping.buffered <= bound + maxMessage, `stalled client's NS-side buffer ${skipping.buffered} B stays bounded`);
  t.ok(peak <= bound + maxMessage, `peak per-client buffer ${peak} B <= ${bound} + one message`);
  t.ok(good.ticks.length >= before + 20, 'the reading client got every interval meanwhile');
  const s = await live();
  const reader = s.clients.find((c) => c.skipped === 0);
  t.ok(reader && reader.sent > 0, 'the reading client was never skipped');
});
