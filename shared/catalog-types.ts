// Types of the port catalog: one row a flow of the SMP 7.0 ports-and-protocols document.
// Pure data shapes; no port numbers here (they live only in catalog.ts).

/** A role is a kind of host that starts or accepts a flow. */
export const ROLES = [
  'ns', // Notification Server (IIS site, tickle/wake senders, hierarchy)
  'ts', // Task Server (atrshost.exe + IIS or Altiris HTTP)
  'ps', // Package Server (site-server role on a managed computer)
  'agent', // managed computer: Win32 or UNIX/Linux/Mac Symantec Management Agent
  'console', // browser or remote console host
  'device', // out-of-band / discovered device (AMT, IPMI, SNMP, WS-MAN, VMware, EMC)
  'event-console', // Event Console receiver and engine
  'workflow', // Symantec Workflow server
  'workflow-designer', // Workflow designer publishing to the server
  'mail', // SMTP server used by Workflow
  'ftp', // FTP server used by Workflow
  'sim', // Symantec Installation Manager (runs on the NS host)
  'internet', // vendor download sites reached by SIM
] as const;
export type Role = (typeof ROLES)[number];

/** The seed's systems, in the seed's order. */
export const SYSTEMS = [
  'Notification Server',
  'Agent installation',
  'Win32 agent',
  'Hierarchy and replication',
  'Remote console',
  'UNIX/Linux/Mac agent',
  'Connection Profiles and PPA',
  'Event Console',
  'Software Management Framework',
  'Task Server',
  'Network Discovery',
  'Monitor Solution',
  'Workflow',
  'Symantec Installation Manager',
] as const;
export type SystemName = (typeof SYSTEMS)[number];

export type Transport = 'tcp' | 'udp' | 'udp-multicast' | 'icmp';

/** Application protocol spoken on the flow; drives the listeners and the probe. */
export type AppProtocol =
  | 'http'
  | 'https'
  | 'smp-tickle' // NS -> agent 52028 (project-defined framing beyond the public prefix)
  | 'smp-wake' // multicast tickle / power management 52029
  | 'smp-pkg-multicast' // 52030
  | 'smp-task-channel' // agent -> TS 50124
  | 'smp-ts-tickle' // TS <-> NS tickle server 50123
  | 'smp-ts-remoting' // 50121/50122 loopback
  | 'netbios-dgm'
  | 'netbios-ns'
  | 'netbios-ssn'
  | 'msrpc'
  | 'smb'
  | 'icmp-echo'
  | 'ssh'
  | 'snmp'
  | 'snmp-trap'
  | 'ipmi'
  | 'asf'
  | 'wmi'
  | 'ws-man'
  | 'amt'
  | 'event-console'
  | 'monitor'
  | 'ftp'
  | 'smtp';

export type Configurable = 'yes' | 'no' | 'n/a';

export interface Flow {
  /** Stable identifier, used by overrides (`--port FLOW=PORT`) and reports. */
  readonly id: string;
  readonly system: SystemName;
  /** The seed's component (or table row label). */
  readonly component: string;
  readonly initiator: Role;
  readonly listener: Role;
  readonly transport: Transport;
  /** Destination port; null where the seed names no port (ICMP, ASF, WMI). */
  readonly port: number | null;
  /** Multicast group for udp-multicast flows. */
  readonly group?: string;
  /** ICMP type for icmp flows. */
  readonly icmpType?: number;
  /** Initiator's source ports where the seed constrains them. */
  readonly sourcePorts?: readonly [number, number];
  /** Allowed range when the port is reconfigured, where the seed gives one. */
  readonly range?: readonly [number, number];
  readonly configurable: Configurable;
  /** Where the seed says how the port is configured. */
  readonly configuredBy?: string;
  /** Bound to loopback only, never reachable off-box. */
  readonly loopbackOnly: boolean;
  readonly protocol: AppProtocol;
  readonly purpose: string;
  /** The seed's own wording where this row records something else (real transport, role reading). */
  readonly note?: string;
}

/** A flow after overrides: `port` is the port in force, `defaultPort` the catalog's. */
export interface ResolvedFlow extends Flow {
  readonly defaultPort: number | null;
}
