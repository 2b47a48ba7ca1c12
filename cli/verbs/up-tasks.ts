// The task part of `smp-lab up`: a Task Server registered with the lab NS (its pages on an
// ephemeral port, since ts-http and ns-agent-http share port 80 in the catalog; 50124 and the
// loopback ports from the port map) and the fleet's client task agents holding their 50124 links.
// Wiring only; returns a line to print and a close function.
import type { PortMap } from '../../shared/ports.js';

export interface UpTasks {
  readonly line: string;
  close(): Promise<void>;
}

export async function startUpTasks(nsUrl: string, ports: PortMap, fleet: { seed: string; ipBase: string; count: number },
  bind: string, logFile: string, level: string, admin: { url: string; user: string }, cmd = 'smp-lab'): Promise<UpTasks> {
  const { createLogger } = await import('../../shared/log.js');
  const { createTaskServer, urlOf } = await import('../../server/ts/task-server.js');
  const { TaskAgentPool } = await import('../../agent/tasks/task-agent-pool.js');
  const { FleetIdentities } = await import('../../agent/fleet/identity.js');
  const log = createLogger({ level, file: logFile, name: 'ts' });
  const ts = createTaskServer({ nsUrl, ports, httpPort: 0, bind, name: 'ts1.lab.local', logger: log,
    maxClients: Math.max(5000, fleet.count) });
  const a = await ts.listen();
  // Agents that ask the NS before it knows this TS find no task server and retry only after their
  // reconnect delay (a minute): start them once the registration is in (or after 10 s regardless).
  await Promise.race([ts.registered(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  const pool = new TaskAgentPool({ nsUrl, log });
  try {
    await pool.start();
    const ids = new FleetIdentities({ seed: fleet.seed, ipBase: fleet.ipBase });
    for (let i = 0; i < fleet.count; i++) {
      const id = ids.identity(i);
      pool.add({ guid: id.guid, name: id.name, ip: id.ip });
    }
  } catch (err) {
    await pool.close();
    await ts.close();
    throw err;
  }
  return {
    line: `  task server      ${urlOf(a.http)}/Altiris/ClientTaskServer/   agent channel tcp ${a.channel.port}   ` +
      `remoting 127.0.0.1:${a.remoting[0]},${a.remoting[1]}   try: SMP_LAB_CONSOLE_PASSWORD=... ` +
      `${cmd} task run --ns ${admin.url} --console-user ${admin.user} --all --script "echo hi"`,
    async close() {
      await pool.close();
      await ts.close();
    },
  };
}
