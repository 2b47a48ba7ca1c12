// SNMP catalog responders (net-snmp): an agent on 161 that answers snmpget/snmpwalk for the MIB-II
// system group (community "public"; sysUpTime counts from the responder's start) and a notification receiver on 162 that acknowledges InformRequests. The
// socket is bound here first so bind errors are reported like every other listener's.
import { createSocket, type Socket } from 'node:dgram';
import snmp, { type MibRequest } from 'net-snmp';
import type { ListenerSpec } from './plan.js';

export const SNMP_COMMUNITY = 'public';
export const SYS_DESCR = 'smp-lab SNMP catalog responder';
/** net-snmp's generic Linux agent OID (NET-SNMP-TC::linux): no enterprise number of smp-lab's own. */
export const SYS_OBJECT_ID = '1.3.6.1.4.1.8072.3.2.10';

export interface SnmpResponder {
  readonly socket: Socket;
  close(): Promise<void>;
}

function bindUdp(spec: ListenerSpec): Promise<Socket> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(spec.port, spec.address, () => {
      socket.removeAllListeners('error');
      // net-snmp calls bind() on the socket it is given: this one is bound already.
      (socket as unknown as { bind: () => Socket }).bind = () => socket;
      resolve(socket);
    });
  });
}

export async function startSnmpResponder(spec: ListenerSpec): Promise<SnmpResponder> {
  const socket = await bindUdp(spec);
  const dgramModule = { createSocket: () => socket };
  const ignore = (): void => undefined; // per-packet errors (bad community, garbage) end that packet only
  let closable: { close(cb?: () => void): void };
  if (spec.protocol === 'snmp-trap') {
    closable = snmp.createReceiver({ port: spec.port, address: spec.address, disableAuthorization: true, dgramModule }, ignore);
  } else {
    const agent = snmp.createAgent({ port: spec.port, address: spec.address, dgramModule }, ignore);
    agent.getAuthorizer().addCommunity(SNMP_COMMUNITY);
    const mib = agent.getMib();
    const scalar = (name: string, oid: string, scalarType: number, value: unknown, handler?: (r: MibRequest) => void): void => {
      mib.registerProvider({
        name, type: snmp.MibProviderType.Scalar, oid, scalarType, maxAccess: snmp.MaxAccess['read-only'] ?? 1,
        ...(handler ? { handler } : {}),
      });
      mib.setScalarValue(name, value);
    };
    const started = Date.now();
    const ticks = (): number => Math.floor((Date.now() - started) / 10) >>> 0; // hundredths of a second
    // The system group of RFC 1213 in OID order, as snmpwalk lists it.
    scalar('sysDescr', '1.3.6.1.2.1.1.1', snmp.ObjectType.OctetString, `${SYS_DESCR} (${spec.roles.join(',')})`);
    scalar('sysObjectID', '1.3.6.1.2.1.1.2', snmp.ObjectType.OID, SYS_OBJECT_ID);
    scalar('sysUpTime', '1.3.6.1.2.1.1.3', snmp.ObjectType.TimeTicks, 0, (r) => {
      r.instanceNode.value = ticks();
      r.done();
    });
    scalar('sysContact', '1.3.6.1.2.1.1.4', snmp.ObjectType.OctetString, '');
    scalar('sysName', '1.3.6.1.2.1.1.5', snmp.ObjectType.OctetString, 'smp-lab');
    scalar('sysLocation', '1.3.6.1.2.1.1.6', snmp.ObjectType.OctetString, 'smp-lab');
    scalar('sysServices', '1.3.6.1.2.1.1.7', snmp.ObjectType.Integer, 72); // application + end-to-end layers
    closable = agent;
  }
  return {
    socket,
    close: () => new Promise((resolve) => {
      try {
        closable.close(() => resolve());
      } catch {
        resolve();
      }
    }),
  };
}
