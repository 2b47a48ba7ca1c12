// ConnectionTest.asp (smp-lab 1): the HTTP speed test. GET = ping (`OK`), GET ?size=N = N bytes
// of deterministic data, POST = upload whose size is echoed back. Sizes are bounded by
// connectionTestMaxBytes; the page never buffers a download in memory.
import { smpError } from '../../../shared/errors.js';
import { decodeConnectionTestQuery, encodeUploadAnswer, PING_BODY } from '../../../shared/protocol/connection-test.js';
import type { Query } from '../../../shared/protocol/query.js';
import { deterministicStream } from '../deterministic-content.js';
import { packageOptions } from '../packages/options.js';
import { defineAgentPage } from './page.js';

export const connectionTestPage = defineAgentPage({
  name: 'ConnectionTest.asp',
  register(scope, ctx) {
    const max = packageOptions(ctx.options.packages).connectionTestMaxBytes;
    scope.get('/ConnectionTest.asp', async (req, reply) => {
      const r = decodeConnectionTestQuery(req.query as Query, max);
      void reply.header('Cache-Control', 'no-cache');
      if (r.kind === 'ping') return reply.type('text/plain').send(PING_BODY);
      return reply.type('application/octet-stream').header('Content-Length', r.size).send(deterministicStream('connection-test', r.size));
    });
    scope.post('/ConnectionTest.asp', { bodyLimit: max }, async (req, reply) => {
      const b = req.body;
      if (!Buffer.isBuffer(b)) throw smpError('MISSING_PARAMETER', 'ConnectionTest.asp upload needs a body');
      return reply.header('Cache-Control', 'no-cache').type('text/xml; charset=utf-8').send(encodeUploadAnswer(b.length));
    });
  },
});
