// The port catalog: every flow of the SMP 7.0 ports-and-protocols document, one typed row a flow.
// This file is the only place in smp-lab where a port number is written; everything that opens,
// probes, permits or documents a port reads these rows (after overrides, see catalog-resolve.ts).
import type { Flow } from './catalog-types.js';

/** Multicast group of the agent tickle / power-management channel (public default). */
export const TICKLE_MULTICAST_GROUP = '224.0.255.135';
/**
 * Multicast group for package multicast. The seed gives only the port; the group is smp-lab's own
 * choice (administratively scoped, so it never leaves a site), documented in docs/protocol.md.
 */
export const PACKAGE_MULTICAST_GROUP = '239.255.52.30';

const DYNAMIC: readonly [number, number] = [1024, 65535];
const CLIENT_SOURCE: readonly [number, number] = [1024, 65535];

type Row = Omit<Flow, 'loopbackOnly' | 'configurable'> &
  Partial<Pick<Flow, 'loopbackOnly' | 'configurable'>>;
const row = (r: Row): Flow => ({ loopbackOnly: false, configurable: 'yes', ...r });

const notificationServer: Flow[] = [
  row({ id: 'ns-tickle', system: 'Notification Server', component: 'NS', initiator: 'ns', listener: 'agent',
    transport: 'tcp', port: 52028, range: DYNAMIC, protocol: 'smp-tickle',
    purpose: 'Tickle and power-management command from the NS to one agent',
    note: 'Seed lists it under the NS (TCP/IP, range 1024-65536); the agent listens and the NS sends.' }),
  row({ id: 'ns-multicast', system: 'Notification Server', component: 'NS', initiator: 'ns', listener: 'agent',
    transport: 'udp-multicast', port: 52029, group: TICKLE_MULTICAST_GROUP, range: DYNAMIC, protocol: 'smp-wake',
    purpose: 'Multicast tickle / power management to the agents of a subnet',
    note: 'Seed: TCP/IP Multicast; multicast runs on UDP.' }),
  row({ id: 'ns-agent-http', system: 'Notification Server', component: 'Agent', initiator: 'agent', listener: 'ns',
    transport: 'tcp', port: 80, protocol: 'http', purpose: 'Agent HTTP communication with the NS' }),
  row({ id: 'ns-agent-https', system: 'Notification Server', component: 'Agent', initiator: 'agent', listener: 'ns',
    transport: 'tcp', port: 443, protocol: 'https', purpose: 'Agent HTTPS communication with the NS' }),
  row({ id: 'ns-package-multicast', system: 'Notification Server', component: 'Package multicast',
    initiator: 'agent', listener: 'agent', transport: 'udp-multicast', port: 52030, group: PACKAGE_MULTICAST_GROUP,
    protocol: 'smp-pkg-multicast', purpose: 'Package multicast from a multicast master agent to its subnet',
    note: 'Seed: TCP/IP port 52030; multicast implies UDP. The group is smp-lab\'s own choice.' }),
];

const agentInstallation: Flow[] = [
  row({ id: 'install-netbios-dgm', system: 'Agent installation', component: 'Push install', initiator: 'ns',
    listener: 'agent', transport: 'udp', port: 138, configurable: 'no', protocol: 'netbios-dgm',
    purpose: 'NETLOGON datagram while the NS pushes the bootstrap' }),
  row({ id: 'install-smb', system: 'Agent installation', component: 'Push install', initiator: 'ns',
    listener: 'agent', transport: 'tcp', port: 445, configurable: 'no', protocol: 'smb',
    purpose: 'SMB/CIFS copy of the bootstrap to the client' }),
  row({ id: 'install-download', system: 'Agent installation', component: 'Agent download', initiator: 'agent',
    listener: 'ns', transport: 'tcp', port: 80, protocol: 'http',
    purpose: 'Client downloads the agent from the NS once the bootstrap service runs' }),
  row({ id: 'install-speed-check', system: 'Agent installation', component: 'Speed check', initiator: 'agent',
    listener: 'ps', transport: 'icmp', port: null, icmpType: 8, configurable: 'n/a', protocol: 'icmp-echo',
    purpose: 'Package server speed check (ICMP echo request)' }),
];

const SMB_NOTE = 'Seed: NetBIOS ports for SMB package download.';
const win32Agent: Flow[] = [
  row({ id: 'win32-http', system: 'Win32 agent', component: 'Client/server', initiator: 'agent', listener: 'ns',
    transport: 'tcp', port: 80, protocol: 'http', purpose: 'Policy updates and event posting over HTTP' }),
  row({ id: 'win32-https', system: 'Win32 agent', component: 'Client/server', initiator: 'agent', listener: 'ns',
    transport: 'tcp', port: 443, protocol: 'https', purpose: 'Policy updates and event posting over HTTPS' }),
  row({ id: 'win32-pkg-http', system: 'Win32 agent', component: 'Package download', initiator: 'agent',
    listener: 'ps', transport: 'tcp', port: 80, protocol: 'http', purpose: 'Package download over HTTP' }),
  row({ id: 'win32-pkg-https', system: 'Win32 agent', component: 'Package download', initiator: 'agent',
    listener: 'ps', transport: 'tcp', port: 443, protocol: 'https', purpose: 'Package download over HTTPS' }),
  row({ id: 'win32-pkg-udp-135', system: 'Win32 agent', component: 'Package download (SMB)', initiator: 'agent',
    listener: 'ps', transport: 'udp', port: 135, configurable: 'no', protocol: 'msrpc',
    purpose: 'SMB package download: RPC endpoint mapper (UDP)', note: SMB_NOTE }),
  row({ id: 'win32-pkg-udp-137', system: 'Win32 agent', component: 'Package download (SMB)', initiator: 'agent',
    listener: 'ps', transport: 'udp', port: 137, configurable: 'no', protocol: 'netbios-ns',
    purpose: 'SMB package download: NetBIOS name service', note: SMB_NOTE }),
  row({ id: 'win32-pkg-udp-139', system: 'Win32 agent', component: 'Package download (SMB)', initiator: 'agent',
    listener: 'ps', transport: 'udp', port: 139, configurable: 'no', protocol: 'netbios-ssn',
    purpose: 'SMB package download: NetBIOS session port (UDP)', note: SMB_NOTE }),
  row({ id: 'win32-pkg-tcp-135', system: 'Win32 agent', component: 'Package download (SMB)', initiator: 'agent',
    listener: 'ps', transport: 'tcp', port: 135, configurable: 'no', protocol: 'msrpc',
    purpose: 'SMB package download: RPC endpoint mapper (TCP)', note: SMB_NOTE }),
  row({ id: 'win32-pkg-tcp-139', system: 'Win32 agent', component: 'Package download (SMB)', initiator: 'agent',
    listener: 'ps', transport: 'tcp', port: 139, configurable: 'no', protocol: 'netbios-ssn',
    purpose: 'SMB package download: NetBIOS session service', note: SMB_NOTE }),
  row({ id: 'win32-pkg-udp-445', system: 'Win32 agent', component: 'Package download (CIFS)', initiator: 'agent',
    listener: 'ps', transport: 'udp', port: 445, configurable: 'no', protocol: 'smb',
    purpose: 'SMB over TCP (CIFS) package download, UDP side' }),
  row({ id: 'win32-pkg-tcp-445', system: 'Win32 agent', component: 'Package download (CIFS)', initiator: 'agent',
    listener: 'ps', transport: 'tcp', port: 445, configurable: 'no', protocol: 'smb',
    purpose: 'SMB over TCP (CIFS) package download' }),
  row({ id: 'win32-power-tcp', system: 'Win32 agent', component: 'Wake on LAN and power management',
    initiator: 'ns', listener: 'agent', transport: 'tcp', port: 52028, protocol: 'smp-tickle',
    purpose: 'Wake-on-LAN relay request and power management to one agent' }),
  row({ id: 'win32-power-multicast', system: 'Win32 agent', component: 'Wake on LAN and power management',
    initiator: 'ns', listener: 'agent', transport: 'udp-multicast', port: 52029, group: TICKLE_MULTICAST_GROUP,
    protocol: 'smp-wake', purpose: 'Power management to many agents by multicast' }),
];

const hierarchy: Flow[] = [
  row({ id: 'hierarchy-http', system: 'Hierarchy and replication', component: 'NS to NS', initiator: 'ns',
    listener: 'ns', transport: 'tcp', port: 80, protocol: 'http',
    purpose: 'Hierarchy replication to /Altiris/Console over HTTP',
    note: 'Any IIS port can be used, e.g. 30000, given in the hierarchy node URL.' }),
  row({ id: 'hierarchy-https', system: 'Hierarchy and replication', component: 'NS to NS', initiator: 'ns',
    listener: 'ns', transport: 'tcp', port: 443, protocol: 'https',
    purpose: 'Hierarchy replication to /Altiris/Console over HTTPS' }),
];

const remoteConsole: Flow[] = [
  row({ id: 'console-http', system: 'Remote console', component: 'Altiris Console', initiator: 'console',
    listener: 'ns', transport: 'tcp', port: 80, protocol: 'http',
    purpose: 'Remote console downloads the console application and content' }),
];

const ULM_NOTE = 'Client source ports 1024 and above, chosen at random.';
const ulmAgent: Flow[] = [
  row({ id: 'ulm-ssh-push', system: 'UNIX/Linux/Mac agent', component: 'Push install', initiator: 'ns',
    listener: 'agent', transport: 'tcp', port: 22, configuredBy: 'sshd configuration', protocol: 'ssh',
    purpose: 'NS copies the bootstrap to the client over SSH' }),
  row({ id: 'ulm-ns-http', system: 'UNIX/Linux/Mac agent', component: 'Client to NS', initiator: 'agent',
    listener: 'ns', transport: 'tcp', port: 80, sourcePorts: CLIENT_SOURCE, protocol: 'http',
    purpose: 'Agent download and communication with the NS over HTTP', note: ULM_NOTE }),
  row({ id: 'ulm-ns-https', system: 'UNIX/Linux/Mac agent', component: 'Client to NS', initiator: 'agent',
    listener: 'ns', transport: 'tcp', port: 443, sourcePorts: CLIENT_SOURCE, protocol: 'https',
    purpose: 'Agent download and communication with the NS over HTTPS', note: ULM_NOTE }),
  row({ id: 'ulm-ps-http', system: 'UNIX/Linux/Mac agent', component: 'Client to package server',
    initiator: 'agent', listener: 'ps', transport: 'tcp', port: 80, sourcePorts: CLIENT_SOURCE, protocol: 'http',
    purpose: 'Package download from package servers over HTTP', note: ULM_NOTE }),
  row({ id: 'ulm-ps-https', system: 'UNIX/Linux/Mac agent', component: 'Client to package server',
    initiator: 'agent', listener: 'ps', transport: 'tcp', port: 443, sourcePorts: CLIENT_SOURCE, protocol: 'https',
    purpose: 'Package download from package servers over HTTPS', note: ULM_NOTE }),
  row({ id: 'ulm-ps-speed-check', system: 'UNIX/Linux/Mac agent', component: 'Client to package server',
    initiator: 'agent', listener: 'ps', transport: 'icmp', port: null, icmpType: 8, configurable: 'n/a',
    protocol: 'icmp-echo', purpose: 'Package server speed check (ICMP echo request)' }),
  row({ id: 'ulm-tickle', system: 'UNIX/Linux/Mac agent', component: 'Tickle / power management',
    initiator: 'ns', listener: 'agent', transport: 'tcp', port: 52028, configuredBy: 'Symantec Management Console',
    protocol: 'smp-tickle', purpose: 'Tickle and power-management messages to the client' }),
  row({ id: 'ulm-multicast', system: 'UNIX/Linux/Mac agent', component: 'Tickle / power management',
    initiator: 'ns', listener: 'agent', transport: 'udp-multicast', port: 52029, group: TICKLE_MULTICAST_GROUP,
    configuredBy: 'Symantec Management Console', protocol: 'smp-wake',
    purpose: 'Multicast tickle and power-management messages to the client' }),
];

const cpPpa: Flow[] = [
  row({ id: 'cp-amt', system: 'Connection Profiles and PPA', component: 'AMT', initiator: 'ns', listener: 'device',
    transport: 'tcp', port: 16993, configurable: 'no', protocol: 'amt', purpose: 'Intel AMT management' }),
  row({ id: 'cp-amt-secure', system: 'Connection Profiles and PPA', component: 'AMT Secure', initiator: 'ns',
    listener: 'device', transport: 'tcp', port: 16994, configurable: 'no', protocol: 'amt',
    purpose: 'Intel AMT management, secure' }),
  row({ id: 'cp-asf', system: 'Connection Profiles and PPA', component: 'ASF', initiator: 'ns', listener: 'device',
    transport: 'udp', port: null, configurable: 'n/a', protocol: 'asf', purpose: 'Alert Standard Format',
    note: 'Seed gives no port (RMCP on UDP in practice); no rule is generated.' }),
  row({ id: 'cp-emc', system: 'Connection Profiles and PPA', component: 'EMC', initiator: 'ns', listener: 'device',
    transport: 'tcp', port: 443, protocol: 'https', purpose: 'EMC storage management' }),
  row({ id: 'cp-http', system: 'Connection Profiles and PPA', component: 'HTTP', initiator: 'ns', listener: 'device',
    transport: 'tcp', port: 80, configurable: 'no', protocol: 'http', purpose: 'HTTP device discovery' }),
  row({ id: 'cp-icmp', system: 'Connection Profiles and PPA', component: 'ICMP', initiator: 'ns', listener: 'device',
    transport: 'icmp', port: null, icmpType: 8, configurable: 'n/a', protocol: 'icmp-echo',
    purpose: 'ICMP echo discovery' }),
  row({ id: 'cp-ipmi', system: 'Connection Profiles and PPA', component: 'IPMI', initiator: 'ns', listener: 'device',
    transport: 'udp', port: 623, protocol: 'ipmi', purpose: 'IPMI over LAN (RMCP)',
    note: 'Seed: IPMI port 623 without a transport; IPMI over LAN runs on UDP.' }),
  row({ id: 'cp-snmp', system: 'Connection Profiles and PPA', component: 'SNMP V1 V2', initiator: 'ns',
    listener: 'device', transport: 'udp', port: 161, configurable: 'no', protocol: 'snmp', purpose: 'SNMP v1/v2c get',
    note: 'Seed: SNMP port 161 without a transport; SNMP runs on UDP.' }),
  row({ id: 'cp-snmp-trap', system: 'Connection Profiles and PPA', component: 'SNMP Trap Sender', initiator: 'device',
    listener: 'ns', transport: 'udp', port: 162, configurable: 'no', protocol: 'snmp-trap',
    purpose: 'SNMP traps from devices to the NS', note: 'SNMP traps run on UDP.' }),
  row({ id: 'cp-vmware', system: 'Connection Profiles and PPA', component: 'VMware', initiator: 'ns',
    listener: 'device', transport: 'tcp', port: 80, protocol: 'http', purpose: 'VMware management' }),
  row({ id: 'cp-vmware-secure', system: 'Connection Profiles and PPA', component: 'VMware Secure', initiator: 'ns',
    listener: 'device', transport: 'tcp', port: 443, protocol: 'https', purpose: 'VMware management, secure' }),
  row({ id: 'cp-wmi', system: 'Connection Profiles and PPA', component: 'WMI', initiator: 'ns', listener: 'device',
    transport: 'tcp', port: null, configurable: 'n/a', protocol: 'wmi', purpose: 'Windows Management Instrumentation',
    note: 'Seed gives no port (DCOM with dynamic ports in practice); no rule is generated.' }),
  row({ id: 'cp-wsman', system: 'Connection Profiles and PPA', component: 'WS-MAN', initiator: 'ns',
    listener: 'device', transport: 'tcp', port: 623, protocol: 'ws-man', purpose: 'WS-Management' }),
  row({ id: 'cp-wsman-secure', system: 'Connection Profiles and PPA', component: 'WS-MAN Secure', initiator: 'ns',
    listener: 'device', transport: 'tcp', port: 664, protocol: 'ws-man', purpose: 'WS-Management, secure' }),
];

const EC_CONFIG = 'Global Settings Item configuration XML';
const eventConsole: Flow[] = [
  row({ id: 'ec-alert', system: 'Event Console', component: 'Alert Port', initiator: 'ns',
    listener: 'event-console', transport: 'tcp', port: 8500, configuredBy: EC_CONFIG, protocol: 'event-console',
    purpose: 'Alerts delivered to the Event Console' }),
  row({ id: 'ec-receiver-refresh', system: 'Event Console', component: 'Receiver Refresh Port', initiator: 'ns',
    listener: 'event-console', transport: 'tcp', port: 8502, configuredBy: EC_CONFIG, protocol: 'event-console',
    purpose: 'Refresh signal to the alert receiver' }),
  row({ id: 'ec-engine-refresh', system: 'Event Console', component: 'Engine Refresh Port', initiator: 'ns',
    listener: 'event-console', transport: 'tcp', port: 8503, configuredBy: EC_CONFIG, protocol: 'event-console',
    purpose: 'Refresh signal to the rule engine' }),
];

const smf: Flow[] = [
  row({ id: 'smf-http', system: 'Software Management Framework', component: 'Through the agent',
    initiator: 'agent', listener: 'ns', transport: 'tcp', port: 80, protocol: 'http',
    purpose: 'Same flows as the Win32 agent (HTTP)' }),
  row({ id: 'smf-https', system: 'Software Management Framework', component: 'Through the agent',
    initiator: 'agent', listener: 'ns', transport: 'tcp', port: 443, protocol: 'https',
    purpose: 'Same flows as the Win32 agent (HTTPS)' }),
];

const taskServer: Flow[] = [
  row({ id: 'ts-tickle-server', system: 'Task Server', component: 'Tickle Server (atrshost.exe)', initiator: 'ts',
    listener: 'ns', transport: 'tcp', port: 50123, configuredBy: 'Altiris.ClientTask.TickleService.config',
    protocol: 'smp-ts-tickle', purpose: 'Task servers hold a link to the tickle server, which tells them of new work',
    note: 'Seed: inbound from task servers. smp-lab places the tickle server on the NS; see docs/protocol.md.' }),
  row({ id: 'ts-agent-channel', system: 'Task Server', component: 'Task Server (atrshost.exe)', initiator: 'agent',
    listener: 'ts', transport: 'tcp', port: 50124, configuredBy: 'Altiris.ClientTask.Server.config',
    protocol: 'smp-task-channel', purpose: 'Persistent channel from client task agents' }),
  row({ id: 'ts-http', system: 'Task Server', component: 'Task Server (IIS or Altiris HTTP Server)',
    initiator: 'agent', listener: 'ts', transport: 'tcp', port: 80, configuredBy: 'IIS or Altiris.Http.config',
    protocol: 'http', purpose: 'Client task agents register, fetch tasks and post status over HTTP' }),
  row({ id: 'ts-https', system: 'Task Server', component: 'Task Server (IIS or Altiris HTTP Server)',
    initiator: 'agent', listener: 'ts', transport: 'tcp', port: 443, configuredBy: 'IIS or Altiris.Http.config',
    protocol: 'https', purpose: 'Client task agents register, fetch tasks and post status over HTTPS' }),
  row({ id: 'ts-remoting-1', system: 'Task Server', component: 'Task Server (atrshost.exe)', initiator: 'ts',
    listener: 'ts', transport: 'tcp', port: 50121, loopbackOnly: true,
    configuredBy: 'Altiris.ClientTask.Remoting.config', protocol: 'smp-ts-remoting',
    purpose: 'Task server web part talking to the task server process (loopback only)' }),
  row({ id: 'ts-remoting-2', system: 'Task Server', component: 'Task Server (atrshost.exe)', initiator: 'ts',
    listener: 'ts', transport: 'tcp', port: 50122, loopbackOnly: true,
    configuredBy: 'Altiris.ClientTask.Remoting.config', protocol: 'smp-ts-remoting',
    purpose: 'Task server web part talking to the task server process (loopback only)' }),
];

/** Network Discovery uses the Connection Profile / PPA flows as configured there. */
const networkDiscovery: Flow[] = cpPpa.map((f) => ({
  ...f,
  id: f.id.replace(/^cp-/, 'nd-'),
  system: 'Network Discovery',
  component: `${f.component} (as in Connection Profiles)`,
}));

const monitor: Flow[] = [
  row({ id: 'monitor-agent', system: 'Monitor Solution', component: 'Monitor agent', initiator: 'ns',
    listener: 'agent', transport: 'tcp', port: 1011, configuredBy: 'Agent Configuration settings',
    protocol: 'monitor', purpose: 'Monitor Solution listener' }),
];

const workflow: Flow[] = [
  row({ id: 'wf-server', system: 'Workflow', component: 'Workflow Server', initiator: 'console',
    listener: 'workflow', transport: 'tcp', port: 80, protocol: 'http',
    purpose: 'IIS serves forms and Process Manager' }),
  row({ id: 'wf-extensions', system: 'Workflow', component: 'Server Extensions', initiator: 'workflow-designer',
    listener: 'workflow', transport: 'tcp', port: 11434, protocol: 'http',
    purpose: 'Publishing requests from Workflow designers' }),
  row({ id: 'wf-internal-web', system: 'Workflow', component: 'Workflow internal web server', initiator: 'console',
    listener: 'workflow', transport: 'tcp', port: 11080, protocol: 'http', purpose: 'Internal web server pages' }),
  row({ id: 'wf-ftp', system: 'Workflow', component: 'Server Extensions configuration', initiator: 'workflow',
    listener: 'ftp', transport: 'tcp', port: 21, configurable: 'no', protocol: 'ftp', purpose: 'FTP' }),
  row({ id: 'wf-smtp', system: 'Workflow', component: 'Server Extensions configuration', initiator: 'workflow',
    listener: 'mail', transport: 'tcp', port: 25, configurable: 'no', protocol: 'smtp', purpose: 'SMTP' }),
];

const sim: Flow[] = [
  row({ id: 'sim-http', system: 'Symantec Installation Manager', component: 'SIM', initiator: 'sim',
    listener: 'internet', transport: 'tcp', port: 80, configurable: 'n/a', protocol: 'http',
    purpose: 'Outbound HTTP downloads only; SIM opens no port' }),
  row({ id: 'sim-https', system: 'Symantec Installation Manager', component: 'SIM', initiator: 'sim',
    listener: 'internet', transport: 'tcp', port: 443, configurable: 'n/a', protocol: 'https',
    purpose: 'Outbound HTTPS downloads only; SIM opens no port' }),
];

/** Every flow, grouped by the seed's systems in the seed's order. */
export const CATALOG: readonly Flow[] = Object.freeze([
  ...notificationServer,
  ...agentInstallation,
  ...win32Agent,
  ...hierarchy,
  ...remoteConsole,
  ...ulmAgent,
  ...cpPpa,
  ...eventConsole,
  ...smf,
  ...taskServer,
  ...networkDiscovery,
  ...monitor,
  ...workflow,
  ...sim,
]);
