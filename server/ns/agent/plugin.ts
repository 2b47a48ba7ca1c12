// The /Altiris/NS/Agent virtual directory: agent pages get their body as a raw Buffer whatever the
// content type (agents send application/xml, compressed or binary bodies), errors answer XML, and
// every page of AGENT_PAGES is registered here. Never parses bodies itself: pages use the codecs.
import { defineNsPlugin } from '../context.js';
import { xmlErrorHandler } from '../http-errors.js';
import { AGENT_PAGES } from './pages.js';

export const agentPlugin = defineNsPlugin({
  name: 'agent',
  prefix: '/Altiris/NS/Agent',
  async register(scope, ctx) {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.setErrorHandler(xmlErrorHandler);
    for (const page of AGENT_PAGES) page.register(scope, ctx);
  },
});
