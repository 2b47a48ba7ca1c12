// `smp-lab fleet`: list the identities of a simulated fleet (or one shard of it) without starting
// anything. Parsing and printing only; identities come from agent/fleet.
import { COMMON_OPTIONS, defineOptions } from '../../shared/config.js';
import { defineVerb } from '../verb.js';

export const FLEET_OPTIONS = defineOptions({
  seed: { type: 'string', default: 'smp-lab', arg: 'S', help: 'fleet seed: the same seed is the same fleet' },
  count: { type: 'int', min: 1, max: 1_000_000, default: 50, arg: 'N', help: 'agents in the whole fleet' },
  ipBase: { type: 'address', default: '127.1.0.1', arg: 'IP', help: 'address of agent 0: inside 127.0.0.0/8 or on a subnet local to the agents\' host' },
  shard: { type: 'string', arg: 'I/N', help: 'run only shard I of N (0-based); JOB_COMPLETION_INDEX/COUNT when unset' },
});

export const fleetVerb = defineVerb({
  name: 'fleet',
  summary: 'list the simulated agents of a fleet (GUID, name, MAC, IP) without starting them',
  options: { ...COMMON_OPTIONS, ...FLEET_OPTIONS,
    format: { type: 'enum', choices: ['table', 'json', 'csv'], default: 'table', arg: 'FMT', help: 'output format' } },
  async run(config, _pos, ctx) {
    const { FleetIdentities } = await import('../../agent/fleet/identity.js');
    const { resolveShard, sliceOf } = await import('../../agent/fleet/shard.js');
    const ids = new FleetIdentities({ seed: config.seed, ipBase: config.ipBase });
    const shard = resolveShard(config.shard, { index: ctx.env['JOB_COMPLETION_INDEX'], count: ctx.env['JOB_COMPLETION_COUNT'] });
    const { start, end } = sliceOf(Math.min(config.count, ids.capacity), shard);
    const rows = [];
    for (let i = start; i < end; i++) {
      const a = ids.identity(i);
      rows.push({ index: i, guid: a.guid, name: a.name, domain: a.domain, fqdn: a.fqdn, mac: a.mac, ip: a.ip, os: a.os.id });
    }
    if (config.format === 'json') ctx.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    else if (config.format === 'csv') {
      ctx.stdout.write('index,guid,name,domain,fqdn,mac,ip,os\n');
      for (const r of rows) ctx.stdout.write(`${Object.values(r).join(',')}\n`);
    } else {
      ctx.stdout.write(`${'INDEX'.padEnd(7)} ${'GUID'.padEnd(36)} ${'NAME'.padEnd(15)} ${'MAC'.padEnd(17)} ${'IP'.padEnd(15)} OS\n`);
      for (const r of rows) {
        ctx.stdout.write(`${String(r.index).padEnd(7)} ${r.guid} ${r.name.padEnd(15)} ${r.mac} ${r.ip.padEnd(15)} ${r.os}\n`);
      }
    }
    return 0;
  },
});
