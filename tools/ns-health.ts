// Health of a Notification Server in this host or container, for the image's HEALTHCHECK: it answers
// the agents' speed-test ping (GET /Altiris/NS/Agent/ConnectionTest.asp) at the configured port offset
// or one `smp-lab up` falls back to. Reads no environment itself (tools/healthcheck.ts does).
import { resolvePorts } from '../shared/ports.js';
import { PING_BODY } from '../shared/protocol/connection-test.js';
import { FALLBACK_OFFSETS } from '../cli/verbs/up.js';

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return res.status === 200 && (await res.text()) === PING_BODY;
  } catch {
    return false;
  }
}

export async function nsHealthy(bind: string | undefined, offsetText: string | undefined): Promise<string | null> {
  const host = bind === undefined || bind === '0.0.0.0' ? '127.0.0.1' : bind;
  const first = Number.parseInt(offsetText ?? '0', 10);
  const offsets = [Number.isFinite(first) ? first : 0, ...FALLBACK_OFFSETS];
  for (const offset of offsets) {
    const url = `http://${host}:${resolvePorts({ offset }).port('ns-agent-http')}/Altiris/NS/Agent/ConnectionTest.asp`;
    if (await answers(url)) return url;
  }
  return null;
}
