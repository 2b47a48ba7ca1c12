// The part of net-snmp (which ships no types) that the SNMP responders use.
declare module 'net-snmp' {
  import type { Socket } from 'node:dgram';
  interface DgramModule { createSocket(type: string): Socket }
  interface ListenOptions {
    port: number;
    address?: string | null;
    disableAuthorization?: boolean;
    dgramModule?: DgramModule;
    includeAuthentication?: boolean;
  }
  interface Closable { close(callback?: () => void): void }
  export interface MibRequest {
    instanceNode: { value: unknown };
    done(err?: { errorStatus: number }): void;
  }
  interface Mib {
    registerProvider(p: {
      name: string; type: number; oid: string; scalarType: number; maxAccess: number; handler?: (r: MibRequest) => void;
    }): void;
    setScalarValue(name: string, value: unknown): void;
  }
  interface Agent extends Closable {
    getMib(): Mib;
    getAuthorizer(): { addCommunity(c: string): void };
  }
  const snmp: {
    createAgent(o: ListenOptions, cb: (err: Error | null, data: unknown) => void): Agent;
    createReceiver(o: ListenOptions, cb: (err: Error | null, data: unknown) => void): Closable;
    MibProviderType: { Scalar: number };
    ObjectType: { OctetString: number; OID: number; TimeTicks: number; Integer: number };
    MaxAccess: Record<string, number>;
  };
  export default snmp;
}
