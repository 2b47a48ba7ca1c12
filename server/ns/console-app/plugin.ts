// /Altiris/Console: the web console (static HTML/JS/CSS from ./public, shipped beside the code, and
// uPlot from node_modules) and its live feed WebSocket at /Altiris/Console/live. It reads through the
// admin API like any client; it opens no listener of its own (the upgrade runs on the NS's servers)
// and owns no state: the feed and its broadcaster come from the NS factory on the context.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import { smpError } from '../../../shared/errors.js';
import { defineNsPlugin } from '../context.js';
import { jsonErrorHandler } from '../http-errors.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The public folder: beside this module in the source tree, or found from dist/ (npm package, image). */
export function consolePublicDir(): string {
  const candidates = [join(here, 'public'), join(here, '..', '..', '..', '..', 'server', 'ns', 'console-app', 'public')];
  const found = candidates.find((d) => existsSync(join(d, 'index.html')));
  if (found === undefined) throw smpError('CONFIG', `the console's files are missing (looked in ${candidates.join(', ')})`);
  return found;
}

const uplotDir = (): string => dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));
const VENDOR = new Set(['uPlot.iife.min.js', 'uPlot.min.css']);

export const consoleAppPlugin = defineNsPlugin({
  name: 'console-app',
  prefix: '/Altiris/Console',
  async register(scope, ctx) {
    const { live } = ctx;
    const { options } = live;
    const publicDir = consolePublicDir();
    const vendorDir = uplotDir();
    await scope.register(fastifyStatic, { root: publicDir, prefix: '/assets/', index: false, dotfiles: 'deny',
      maxAge: 60_000 });
    await scope.register(fastifyWebsocket, { options: { maxPayload: 1024 } });

    scope.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').sendFile('index.html'));
    scope.get<{ Params: { file: string } }>('/assets/vendor/:file', async (req, reply) => {
      if (!VENDOR.has(req.params.file)) throw smpError('NOT_FOUND', `no console asset ${req.params.file}`);
      return reply.sendFile(req.params.file, vendorDir);
    });
    scope.get('/live', { websocket: true }, (socket) => live.add(socket));
    scope.register(async (api) => {
      api.setErrorHandler(jsonErrorHandler);
      // Per-browser feed state: what the backpressure bound does (docs/console.md).
      api.get('/api/live', async () => ({ intervalMs: options.intervalMs, maxBufferedBytes: options.maxBufferedBytes,
        clients: live.stats() }));
    });
  },
});
