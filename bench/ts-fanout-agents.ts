// Benchmark child: COUNT simulated client task agents (agent/tasks) that find their task server
// through the NS, hold their 50124 links from their own addresses and run what they are told.
// Reports connected agents and posted statuses over IPC. Never part of npm test.
import { createLogger } from '../shared/log.js';
import { TaskAgentPool } from '../agent/tasks/task-agent-pool.js';

const [nsUrl = '', countArg = '0', prefix = '127.4', firstArg = '0'] = process.argv.slice(2);
const count = Number(countArg);
const first = Number(firstArg);
const pool = new TaskAgentPool({
  nsUrl, log: createLogger({ level: 'error', name: 'bench-agents' }), reconnectMs: 60_000, pollIntervalMs: 30 * 60_000,
  tickMs: 500, maxHttpSockets: 64,
});
let statuses = 0;
pool.on('status', () => statuses++);
await pool.start();
// Bring agents up in slices so discovery and registration do not all land at once.
for (let i = 0; i < count; i++) {
  const n = first + i;
  pool.add({ guid: `FA0C0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`, name: `FAN-${n}`,
    ip: `${prefix}.${Math.floor(i / 250)}.${(i % 250) + 1}` });
  if (i % 200 === 199) await new Promise((r) => setTimeout(r, 20));
}
setInterval(() => process.send?.({ connected: pool.counts().connected, statuses }), 200);
process.on('message', async () => {
  await pool.close();
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));
