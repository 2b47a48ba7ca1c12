// The catalog against the seed: every port and transport the SMP 7.0 ports document names, written
// out here by hand from the document (system, from, to, transport, port, configurable).
import t from 'tap';
import { CATALOG, TICKLE_MULTICAST_GROUP } from '../../shared/catalog.js';
import type { Flow } from '../../shared/catalog-types.js';

type Expect = [system: string, from: string, to: string, transport: string, port: number | null, configurable: string];

const SEED: Expect[] = [
  // Notification Server ports
  ['Notification Server', 'ns', 'agent', 'tcp', 52028, 'yes'],
  ['Notification Server', 'ns', 'agent', 'udp-multicast', 52029, 'yes'],
  ['Notification Server', 'agent', 'ns', 'tcp', 80, 'yes'],
  ['Notification Server', 'agent', 'ns', 'tcp', 443, 'yes'],
  ['Notification Server', 'agent', 'agent', 'udp-multicast', 52030, 'yes'],
  // Agent installation
  ['Agent installation', 'ns', 'agent', 'udp', 138, 'no'],
  ['Agent installation', 'ns', 'agent', 'tcp', 445, 'no'],
  ['Agent installation', 'agent', 'ns', 'tcp', 80, 'yes'],
  ['Agent installation', 'agent', 'ps', 'icmp', null, 'n/a'],
  // Win32 agent after installation
  ['Win32 agent', 'agent', 'ns', 'tcp', 80, 'yes'],
  ['Win32 agent', 'agent', 'ns', 'tcp', 443, 'yes'],
  ['Win32 agent', 'agent', 'ps', 'tcp', 80, 'yes'],
  ['Win32 agent', 'agent', 'ps', 'tcp', 443, 'yes'], // "HTTP (see above for port assignment)": 80, and 443 for SSL
  ['Win32 agent', 'agent', 'ps', 'udp', 135, 'no'],
  ['Win32 agent', 'agent', 'ps', 'udp', 137, 'no'],
  ['Win32 agent', 'agent', 'ps', 'udp', 139, 'no'],
  ['Win32 agent', 'agent', 'ps', 'tcp', 135, 'no'],
  ['Win32 agent', 'agent', 'ps', 'tcp', 139, 'no'],
  ['Win32 agent', 'agent', 'ps', 'udp', 445, 'no'],
  ['Win32 agent', 'agent', 'ps', 'tcp', 445, 'no'],
  ['Win32 agent', 'ns', 'agent', 'tcp', 52028, 'yes'],
  ['Win32 agent', 'ns', 'agent', 'udp-multicast', 52029, 'yes'],
  // Hierarchy and replication, remote console
  ['Hierarchy and replication', 'ns', 'ns', 'tcp', 80, 'yes'],
  ['Hierarchy and replication', 'ns', 'ns', 'tcp', 443, 'yes'],
  ['Remote console', 'console', 'ns', 'tcp', 80, 'yes'],
  // UNIX, Linux and Mac agent
  ['UNIX/Linux/Mac agent', 'ns', 'agent', 'tcp', 22, 'yes'],
  ['UNIX/Linux/Mac agent', 'agent', 'ns', 'tcp', 80, 'yes'],
  ['UNIX/Linux/Mac agent', 'agent', 'ns', 'tcp', 443, 'yes'],
  ['UNIX/Linux/Mac agent', 'agent', 'ps', 'tcp', 80, 'yes'],
  ['UNIX/Linux/Mac agent', 'agent', 'ps', 'tcp', 443, 'yes'],
  ['UNIX/Linux/Mac agent', 'agent', 'ps', 'icmp', null, 'n/a'],
  ['UNIX/Linux/Mac agent', 'ns', 'agent', 'tcp', 52028, 'yes'],
  ['UNIX/Linux/Mac agent', 'ns', 'agent', 'udp-multicast', 52029, 'yes'],
  // Connection Profiles and PPA
  ['Connection Profiles and PPA', 'ns', 'device', 'tcp', 16993, 'no'],
  ['Connection Profiles and PPA', 'ns', 'device', 'tcp', 16994, 'no'],
  ['Connection Profiles and PPA', 'ns', 'device', 'udp', null, 'n/a'], // ASF
  ['Connection Profiles and PPA', 'ns', 'device', 'tcp', 443, 'yes'], // EMC
  ['Connection Profiles and PPA', 'ns', 'device', 'tcp', 80, 'no'], // HTTP
  ['Connection Profiles and PPA', 'ns', 'device', 'icmp', null, 'n/a'],
  ['Connection Profiles and PPA', 'ns', 'device', 'udp', 623, 'yes'], // IPMI
  ['Connection Profiles and PPA', 'ns', 'device', 'udp', 161, 'no'],
  ['Connection Profiles and PPA', 'device', 'ns', 'udp', 162, 'no'],
  ['Connection Profiles and PPA', 'ns', 'device', 'tcp', 80, 'yes'], // VMware
  ['Connection Profiles and PPA', 'ns', 'device', 'tcp', 443, 'yes'], // VMware secure
  ['Connection Profiles and PPA', 'ns', 'device', 'tcp', null, 'n/a'], // WMI
  ['Connection Profiles and PPA', 'ns', 'device', 'tcp', 623, 'yes'], // WS-MAN
  ['Connection Profiles and PPA', 'ns', 'device', 'tcp', 664, 'yes'],
  // Event Console
  ['Event Console', 'ns', 'event-console', 'tcp', 8500, 'yes'],
  ['Event Console', 'ns', 'event-console', 'tcp', 8502, 'yes'],
  ['Event Console', 'ns', 'event-console', 'tcp', 8503, 'yes'],
  // Software Management Framework: as the Win32 agent
  ['Software Management Framework', 'agent', 'ns', 'tcp', 80, 'yes'],
  ['Software Management Framework', 'agent', 'ns', 'tcp', 443, 'yes'],
  // Task Server
  ['Task Server', 'ts', 'ns', 'tcp', 50123, 'yes'],
  ['Task Server', 'agent', 'ts', 'tcp', 50124, 'yes'],
  ['Task Server', 'agent', 'ts', 'tcp', 80, 'yes'],
  ['Task Server', 'agent', 'ts', 'tcp', 443, 'yes'],
  ['Task Server', 'ts', 'ts', 'tcp', 50121, 'yes'],
  ['Task Server', 'ts', 'ts', 'tcp', 50122, 'yes'],
  // Monitor Solution, Workflow, SIM
  ['Monitor Solution', 'ns', 'agent', 'tcp', 1011, 'yes'],
  ['Workflow', 'console', 'workflow', 'tcp', 80, 'yes'],
  ['Workflow', 'workflow-designer', 'workflow', 'tcp', 11434, 'yes'],
  ['Workflow', 'console', 'workflow', 'tcp', 11080, 'yes'],
  ['Workflow', 'workflow', 'ftp', 'tcp', 21, 'no'],
  ['Workflow', 'workflow', 'mail', 'tcp', 25, 'no'],
  ['Symantec Installation Manager', 'sim', 'internet', 'tcp', 80, 'n/a'],
  ['Symantec Installation Manager', 'sim', 'internet', 'tcp', 443, 'n/a'],
];

const key = (f: Flow): string => JSON.stringify([f.system, f.initiator, f.listener, f.transport, f.port, f.configurable]);

t.test('every flow of the seed is in the catalog with its direction and configurability', async (t) => {
  const have = new Map<string, number>();
  for (const f of CATALOG) have.set(key(f), (have.get(key(f)) ?? 0) + 1);
  const want = new Map<string, number>();
  for (const e of SEED) want.set(JSON.stringify(e), (want.get(JSON.stringify(e)) ?? 0) + 1);
  for (const [k, n] of want) t.ok((have.get(k) ?? 0) >= n, `catalog has ${n} x ${k}`);
});

t.test('the catalog adds nothing the seed does not name (Network Discovery mirrors the CP/PPA rows)', async (t) => {
  const want = new Set(SEED.map((e) => JSON.stringify(e)));
  for (const f of CATALOG) {
    const k = f.system === 'Network Discovery' ? key({ ...f, system: 'Connection Profiles and PPA' }) : key(f);
    t.ok(want.has(k), `${f.id} is a seed flow`);
  }
  const cp = CATALOG.filter((f) => f.system === 'Connection Profiles and PPA').length;
  t.equal(CATALOG.filter((f) => f.system === 'Network Discovery').length, cp, 'Network Discovery has every CP/PPA flow');
});

t.test('ids are unique and rows are well-formed', async (t) => {
  const ids = CATALOG.map((f) => f.id);
  t.equal(new Set(ids).size, ids.length, 'unique ids');
  for (const f of CATALOG) {
    t.match(f.id, /^[a-z0-9-]+$/, `${f.id}: id is a flag-friendly slug`);
    if (f.transport === 'udp-multicast') t.ok(f.group, `${f.id}: multicast row has a group`);
    if (f.transport === 'icmp') t.equal(f.icmpType, 8, `${f.id}: ICMP echo request`);
    t.ok(f.purpose.length > 0, `${f.id}: has a purpose`);
  }
});

t.test('public defaults the rest of smp-lab depends on', async (t) => {
  const by = (id: string): Flow | undefined => CATALOG.find((f) => f.id === id);
  t.equal(by('ns-multicast')?.group, '224.0.255.135');
  t.equal(TICKLE_MULTICAST_GROUP, '224.0.255.135');
  t.same(by('ns-tickle')?.range, [1024, 65535], 'the seed\'s configurable range for the tickle port');
  t.ok(by('ts-remoting-1')?.loopbackOnly && by('ts-remoting-2')?.loopbackOnly, '50121/50122 are loopback only');
  t.equal(CATALOG.filter((f) => f.loopbackOnly).length, 2, 'nothing else is loopback only');
  t.same(by('ulm-ns-http')?.sourcePorts, [1024, 65535], 'UNIX/Linux/Mac client source ports 1024 and above');
  for (const id of ['cp-snmp', 'cp-snmp-trap', 'cp-ipmi', 'install-netbios-dgm', 'win32-pkg-udp-137']) {
    t.equal(by(id)?.transport, 'udp', `${id} runs on UDP`);
  }
  t.match(by('cp-ipmi')?.note ?? '', /UDP/, 'the row says why it records UDP');
});
