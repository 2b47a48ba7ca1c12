// SSH catalog responder (22, UNIX/Linux/Mac push install): a real SSH-2 server (ssh2 library) with a
// throw-away host key that completes key exchange and refuses every login, so `ssh` and nmap see a
// genuine SSH service. It never opens a shell or a channel.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server as NetServer } from 'node:net';
import ssh2 from 'ssh2';

export const SSH_IDENT = 'smp-lab_responder';

/**
 * A fresh ECDSA P-256 host key (PEM, SEC1). Node makes it: ssh2's own ed25519 generator drops a
 * leading zero byte of the public key, so about one key in 256 cannot be read back (mscdex/ssh2#1390)
 * and the SSH listener would fail to start.
 */
export function makeHostKey(): string {
  return generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
}

export function createSshResponder(): NetServer {
  const server = new ssh2.Server({ hostKeys: [makeHostKey()], ident: SSH_IDENT }, (client) => {
    client.on('authentication', (ctx) => ctx.reject(['publickey', 'password']));
    client.on('error', () => client.end());
  });
  // Our own net.Server hands each socket to ssh2, so binding and closing work like every listener's.
  const net = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.setTimeout(15_000, () => socket.destroy());
    server.injectSocket(socket);
  });
  net.maxConnections = 1024;
  return net;
}
