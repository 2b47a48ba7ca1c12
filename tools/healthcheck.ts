// The image's HEALTHCHECK (`node dist/tools/healthcheck.js`): exit 0 when a Notification Server of this
// container answers, 1 otherwise, with one line saying which. Reads SMP_LAB_BIND and SMP_LAB_PORT_OFFSET,
// the settings `smp-lab up` and `smp-lab ns` read from the environment.
import { nsHealthy } from './ns-health.js';

const url = await nsHealthy(process.env['SMP_LAB_BIND'], process.env['SMP_LAB_PORT_OFFSET']);
process.stdout.write(url === null ? 'unhealthy: no NS answers ConnectionTest.asp\n' : `healthy: ${url}\n`);
process.exitCode = url === null ? 1 : 0;
