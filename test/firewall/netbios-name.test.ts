// The NetBIOS name service responder (137/udp) answers a name query for its own name with its
// address (what `nmblookup NAME` prints), a name-server query for another name with NAM_ERR, and a
// node-status query with its name table.
import t from 'tap';
import { createSocket } from 'node:dgram';
import {
  decodeNameQueryAnswer, decodeNodeStatusAnswer, encodeNameQuery, encodeNodeStatusQuery,
} from '../../shared/protocol/netbios.js';
import { startDatagramResponder } from '../../firewall/respond/datagram-responders.js';
import { NETBIOS_HOST_NAME } from '../../firewall/respond/stream-responders.js';
import { waitForEvent } from '../helpers/wait.js';

async function ask(port: number, query: Buffer): Promise<Buffer> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  try {
    s.send(query, port, '127.0.0.1');
    const [msg] = await waitForEvent<[Buffer]>(s, 'message', 3000);
    return msg;
  } finally {
    s.close();
  }
}

t.test('name query, negative answer and node status', async (t) => {
  const r = await startDatagramResponder({ transport: 'udp', address: '127.0.0.1', port: 0, protocol: 'netbios-ns', tls: false, roles: ['ps'], flows: [] });
  t.teardown(() => r.socket.close());
  const port = r.socket.address().port;
  const mine = decodeNameQueryAnswer(await ask(port, encodeNameQuery(0x1234, NETBIOS_HOST_NAME.toLowerCase())));
  t.same(mine, { id: 0x1234, rcode: 0, addresses: ['127.0.0.1'] }, 'our name: our address');
  const other = decodeNameQueryAnswer(await ask(port, encodeNameQuery(0x2345, 'NOBODY')));
  t.same(other, { id: 0x2345, rcode: 3, addresses: [] }, 'another name: NAM_ERR');
  const status = decodeNodeStatusAnswer(await ask(port, encodeNodeStatusQuery(7)));
  t.same(status.names, [NETBIOS_HOST_NAME]);
});
