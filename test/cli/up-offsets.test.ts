// The offsets `smp-lab up` falls back to must give NS web ports a browser and fetch will open:
// fetch refuses "bad ports" (10080 among them) without connecting; these must fail only by refusal.
import t from 'tap';
import { FALLBACK_OFFSETS } from '../../cli/verbs/up.js';
import { resolvePorts } from '../../shared/ports.js';

t.test('fallback offsets put the NS web ports on ports fetch will connect to', async (t) => {
  for (const offset of [...FALLBACK_OFFSETS, 10000]) {
    const map = resolvePorts({ offset });
    for (const flow of ['ns-agent-http', 'ns-agent-https'] as const) {
      const port = map.port(flow);
      const err = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) }).then(() => null, (e: Error) => e);
      const cause = (err?.cause as Error | undefined)?.message ?? '';
      if (offset === 10000 && flow === 'ns-agent-http') t.match(cause, /bad port/, 'the reason 10000 is not a fallback: fetch refuses 10080');
      else t.notMatch(cause, /bad port/, `offset ${offset}: ${flow} on ${port} is a port fetch connects to`);
    }
  }
});
