// A peer name that does not resolve: every probed flow gets an `error` row naming the lookup failure,
// the command exits 1 like any failed probe, and no stack trace reaches the user.
import t from 'tap';
import { runSmpLab } from '../helpers/cli.js';
import type { Report } from './responder-cli.js';

t.test('an unresolvable peer gives an error row per flow, never a crash', async (t) => {
  const res = await runSmpLab(['probe', '--role', 'agent', '--peer', 'no-such-host.invalid', '--format', 'json', '--timeout', '1s'],
    { env: { NODE_OPTIONS: '' }, timeoutMs: 60000 });
  t.notMatch(res.stderr, /\n\s+at /, 'no stack trace');
  t.equal(res.code, 1, 'exit 1: flows failed');
  const rep = JSON.parse(res.stdout) as Report;
  t.ok(rep.rows.some((r) => r.transport === 'udp'), 'UDP flows were probed');
  for (const row of rep.rows) {
    if (row.status === 'skipped') continue;
    t.match(row, { status: 'error', reason: /ENOTFOUND|EAI_AGAIN|no-such-host\.invalid/ }, `${row.id}: ${row.reason}`);
  }
});
