// Ports and addresses on the command line: a port in use makes `ns` and `ts` print one line naming
// the flow, the address and port and the flag that moves it (for `ts` also that an NS with the same
// offset shares the catalog port), exit 1, never a stack trace, no listener left behind (`ns` is
// checked in ns.test.ts); a bad MAC is exit 2; the ts ready line gives the address it bound.
import t from 'tap';
import { createServer, type Server } from 'node:net';
import { runSmpLab } from '../helpers/cli.js';
import { freePorts } from '../helpers/free-port.js';

async function hold(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as import('node:net').AddressInfo).port };
}

const NO_STACK = /\n\s+at |unexpected error/;

t.test('ts on a port in use names ts-http, the port and the flag', async (t) => {
  const held = await hold();
  t.teardown(() => held.server.close());
  const [https, channel, r1, r2] = await freePorts(4);
  const res = await runSmpLab(['ts', '--ns', 'http://127.0.0.1:9', '--bind', '127.0.0.1', '--no-https',
    '--port', `ts-http=${held.port}`, '--port', `ts-https=${https}`, '--port', `ts-agent-channel=${channel}`,
    '--port', `ts-remoting-1=${r1}`, '--port', `ts-remoting-2=${r2}`], { env: { NODE_OPTIONS: '' } });
  t.equal(res.code, 1);
  t.notMatch(res.stderr, NO_STACK);
  t.equal(res.stderr.trim().split('\n').length, 1, `one line: ${res.stderr}`);
  t.match(res.stderr, new RegExp(`cannot bind ts-http on 127\\.0\\.0\\.1:${held.port}: the port is in use`));
  t.match(res.stderr, /ns-agent-http has the same catalog port: `smp-lab ns` with the same offset/);
  t.match(res.stderr, /--port ts-http=PORT or --port-offset/);
});

t.test('ts with the agent channel port in use names ts-agent-channel', async (t) => {
  const held = await hold();
  t.teardown(() => held.server.close());
  const [http, r1, r2] = await freePorts(3);
  const res = await runSmpLab(['ts', '--ns', 'http://127.0.0.1:9', '--bind', '127.0.0.1', '--no-https',
    '--port', `ts-http=${http}`, '--port', `ts-agent-channel=${held.port}`,
    '--port', `ts-remoting-1=${r1}`, '--port', `ts-remoting-2=${r2}`], { env: { NODE_OPTIONS: '' } });
  t.equal(res.code, 1, 'exits (no listener left running)');
  t.notMatch(res.stderr, NO_STACK);
  t.match(res.stderr, new RegExp(`cannot bind ts-agent-channel on 127\\.0\\.0\\.1:${held.port}`));
});

t.test('wake with a bad MAC is a usage error: one line, exit 2', async (t) => {
  const res = await runSmpLab(['wake', '--mac', 'zz:zz'], { env: { NODE_OPTIONS: '' } });
  t.equal(res.code, 2);
  t.match(res.stderr, /--mac: "zz:zz" is not allowed; expected a MAC address/);
});

t.test('the ts ready line gives the address it bound, 0.0.0.0 included', async (t) => {
  const [http, channel, r1, r2] = await freePorts(4);
  const { startSmpLab } = await import('../helpers/cli.js');
  const ts = startSmpLab(['ts', '--ns', 'http://127.0.0.1:9', '--bind', '0.0.0.0', '--no-https', '--log-level', 'silent',
    '--port', `ts-http=${http}`, '--port', `ts-agent-channel=${channel}`, '--port', `ts-remoting-1=${r1}`, '--port', `ts-remoting-2=${r2}`],
  { env: { NODE_OPTIONS: '' } });
  t.teardown(() => ts.stop('SIGKILL'));
  const [line] = await ts.line(/ts ready: .*\n/, 20_000);
  t.match(line, new RegExp(`http=http://0\\.0\\.0\\.0:${http} `));
  t.match(line, new RegExp(`channel=0\\.0\\.0\\.0:${channel} `));
});
