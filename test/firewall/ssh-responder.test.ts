// The SSH catalog responder: every fresh host key is one ssh2 can read (ssh2's own ed25519 generator
// fails about one key in 256, which left port 22 unbound), and a real SSH client completes key
// exchange with the responder and is refused.
import t from 'tap';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import { createSshResponder, makeHostKey, SSH_IDENT } from '../../firewall/respond/ssh-responder.js';

t.test('2000 fresh host keys all parse (ssh2 ed25519 keys fail ~8 times in 2000)', async (t) => {
  let bad = 0;
  let first = '';
  for (let i = 0; i < 2000; i++) {
    const parsed = ssh2.utils.parseKey(makeHostKey());
    if (parsed instanceof Error) {
      bad += 1;
      first ||= parsed.message;
    }
  }
  t.equal(bad, 0, `every key parses${first ? ` (first failure: ${first})` : ''}`);
});

t.test('an ssh2 client completes key exchange and every login is refused', async (t) => {
  const server = createSshResponder();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const result = await new Promise<{ handshake: boolean; error: string }>((resolve) => {
    const client = new ssh2.Client();
    let handshake = false;
    client.on('handshake', () => (handshake = true));
    client.on('error', (err) => {
      client.end();
      resolve({ handshake, error: err.message });
    });
    client.on('ready', () => {
      client.end();
      resolve({ handshake, error: 'logged in' });
    });
    client.connect({ host: '127.0.0.1', port, username: 'probe', password: 'x', readyTimeout: 10_000 });
  });
  t.ok(result.handshake, `key exchange with ${SSH_IDENT} completed`);
  t.match(result.error, /authentication methods failed/i, 'the login is refused');
});
