// snmpwalk sees a coherent MIB-II system group on the SNMP responder: sysDescr, an OID for
// sysObjectID (not NULL), a sysUpTime that advances, sysContact, sysName, sysLocation, sysServices.
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startSnmpResponder, SYS_OBJECT_ID } from '../../firewall/respond/snmp-responders.js';
import { waitUntil } from '../helpers/wait.js';

const run = promisify(execFile);
const have = spawnSync('sh', ['-c', 'command -v snmpwalk']).status === 0;

t.test('snmpwalk of the system group', { skip: have ? false : 'snmpwalk is not installed (apt-get install snmp)' }, async (t) => {
  const r = await startSnmpResponder({ transport: 'udp', address: '127.0.0.1', port: 0, protocol: 'snmp', tls: false, roles: ['device'], flows: [] });
  t.teardown(() => r.close());
  const target = `127.0.0.1:${r.socket.address().port}`;
  const walk = async (): Promise<string> =>
    (await run('snmpwalk', ['-v2c', '-c', 'public', '-On', '-t', '2', target, '1.3.6.1.2.1.1'], { timeout: 15000 })).stdout;
  const out = await walk();
  t.match(out, /^\.1\.3\.6\.1\.2\.1\.1\.1\.0 = STRING: "smp-lab SNMP catalog responder \(device\)"$/m);
  t.match(out, new RegExp(`^\\.1\\.3\\.6\\.1\\.2\\.1\\.1\\.2\\.0 = OID: \\.${SYS_OBJECT_ID.replace(/\./g, '\\.')}$`, 'm'));
  t.notMatch(out, /NULL/);
  for (const [i, type] of [[3, 'Timeticks'], [4, 'STRING|""'], [5, 'STRING'], [6, 'STRING'], [7, 'INTEGER: 72']] as const) {
    t.match(out, new RegExp(`^\\.1\\.3\\.6\\.1\\.2\\.1\\.1\\.${i}\\.0 = (${type})`, 'm'), `system.${i}`);
  }
  const ticks = (s: string): number => Number(/\.1\.3\.6\.1\.2\.1\.1\.3\.0 = Timeticks: \((\d+)\)/.exec(s)?.[1] ?? NaN);
  const first = ticks(out);
  await waitUntil(async () => ticks(await walk()) > first, 'sysUpTime advances', 10000, 100);
});
