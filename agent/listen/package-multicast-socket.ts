// The fleet process's ONE package multicast endpoint (52030 by default): a receiving socket on the
// wildcard address joined to the package group on the fleet's interface, and a sending socket bound
// to that interface address with the outgoing interface set to it and TTL 1. Never sends anywhere but
// the group from the interface; datagrams are handed on raw (the session layer decodes and counts).
import { createSocket, type Socket } from 'node:dgram';
import { smpError } from '../../shared/errors.js';

export interface PackageMulticastSocketOptions {
  readonly port: number;
  /** The package multicast group (239.255.52.30 from the catalog). */
  readonly group: string;
  /** Interface address: the group is joined on it and every datagram leaves from it. */
  readonly interfaceAddress: string;
  readonly onMessage: (msg: Buffer) => void;
}

export class PackageMulticastSocket {
  private readonly rx: Socket;
  private readonly tx: Socket;
  private readonly opts: PackageMulticastSocketOptions;
  private boundPort = 0;
  private closed = false;
  /** Send errors (a full socket buffer, a vanished interface): counted, never thrown. */
  sendErrors = 0;

  constructor(opts: PackageMulticastSocketOptions) {
    this.opts = opts;
    this.rx = createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: 8 * 1024 * 1024 });
    this.tx = createSocket({ type: 'udp4', sendBufferSize: 1024 * 1024 });
    this.rx.on('message', (msg) => opts.onMessage(msg));
    this.rx.on('error', () => {});
    this.tx.on('error', () => { this.sendErrors += 1; });
  }

  async listen(): Promise<{ port: number; group: string }> {
    const bind = (s: Socket, address: string, port: number, what: string) => new Promise<void>((resolve, reject) => {
      const onErr = (err: NodeJS.ErrnoException) => reject(smpError('BIND', `package multicast ${what} cannot bind ${address}:${port}: ${err.code ?? err.message}`, { port }, err));
      s.once('error', onErr);
      s.bind({ port, address, exclusive: false }, () => {
        s.off('error', onErr);
        resolve();
      });
    });
    // Bound to the wildcard address: a socket bound to one unicast address never sees multicast.
    await bind(this.rx, '0.0.0.0', this.opts.port, 'socket');
    try {
      await bind(this.tx, this.opts.interfaceAddress, 0, 'sender');
      this.rx.addMembership(this.opts.group, this.opts.interfaceAddress);
      this.tx.setMulticastInterface(this.opts.interfaceAddress);
      this.tx.setMulticastTTL(1);
      this.tx.setMulticastLoopback(true);
    } catch (err) {
      await this.close();
      throw smpError('ENVIRONMENT', `cannot use ${this.opts.group} on ${this.opts.interfaceAddress}: ${(err as Error).message}`, {}, err);
    }
    this.boundPort = this.rx.address().port;
    return { port: this.boundPort, group: this.opts.group };
  }

  get port(): number {
    return this.boundPort;
  }

  /** One datagram to the group on the fleet's port; resolves once the kernel took it (or it failed). */
  send(datagram: Buffer): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.tx.send(datagram, this.boundPort, this.opts.group, (err) => {
        if (err) this.sendErrors += 1;
        resolve(!err);
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const close = (s: Socket) => new Promise<void>((resolve) => {
      try {
        s.close(() => resolve());
      } catch {
        resolve(); // never bound
      }
    });
    await Promise.all([close(this.rx), close(this.tx)]);
  }
}
