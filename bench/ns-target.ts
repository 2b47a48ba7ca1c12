// A benchmark target in its own process: `ns DATA_DIR` starts the Notification Server (SQLite
// store on disk, access log on, as `smp-lab ns` runs it), `bare` a fastify hello world (plus POST
// routes answering fixed bytes of the NS's sizes: the floor for any fastify POST endpoint), `raw`
// node:http alone answering the same fixed bytes (no framework, no work: the ceiling of any node
// server on this machine). Prints one JSON line with the bound port, then serves until stdin closes.
import { createServer } from 'node:http';
import Fastify from 'fastify';
import { createNotificationServer } from '../server/ns/server.js';
import { TEST_CONSOLE_PASSWORD } from '../test/helpers/console-credentials.js';

const [kind, dataDir, answerSize] = process.argv.slice(2);

const policiesAnswerOf = (size: string | undefined): string => `<response>${'x'.repeat(Number(size ?? 1788) - 21)}</response>`;
const EVENT_ANSWER = '<response status="ok" id="1" queue="EvtQFast" size="700"/>';

/** node:http with nothing else: reads the body, answers fixed bytes of the NS's sizes. */
async function raw(): Promise<{ port: number; close: () => Promise<void> }> {
  const policies = Buffer.from(policiesAnswerOf(answerSize));
  const events = Buffer.from(EVENT_ANSWER);
  const server = createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      const body = req.url?.includes('PostEvent') ? events : policies;
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': body.length });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.address() as { port: number }).port, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

async function start(): Promise<{ port: number; close: () => Promise<void> }> {
  if (kind === 'raw') return raw();
  if (kind === 'bare') {
    const app = Fastify({ logger: false });
    app.get('/', async () => 'hello world');
    // The floor for any POST endpoint: the body read as the NS reads it, a fixed answer of the NS's size.
    const policiesAnswer = policiesAnswerOf(answerSize);
    app.addContentTypeParser('application/xml', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.post('/Altiris/NS/Agent/GetClientPolicies.aspx', async (_req, reply) => reply.type('text/xml; charset=utf-8').send(policiesAnswer));
    app.post('/Altiris/NS/Agent/PostEvent.aspx', async (_req, reply) => reply.type('text/xml; charset=utf-8').send(EVENT_ANSWER));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: (app.server.address() as { port: number }).port, close: () => app.close() };
  }
  const ns = await createNotificationServer({ httpPort: 0, bind: '127.0.0.1', store: 'sqlite', dataDir: dataDir ?? '.lab/bench-ns',
    console: { password: TEST_CONSOLE_PASSWORD },
    packages: { installerSizes: { windows: 1 << 20, unix: 1 << 20 }, labPackages: { count: 1, payloadSize: 1 << 20 } } });
  const a = await ns.listen();
  return { port: a.http!.port, close: () => ns.close() };
}

const target = await start();
process.stdout.write(`${JSON.stringify({ kind, port: target.port, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void target.close().then(() => process.exit(0));
});
