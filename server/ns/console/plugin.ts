// /Altiris/Console/api: the JSON admin API of the lab NS (policies, resources, registration
// decisions, the console's computers and flows). JSON in, JSON out, errors as `{ error: { code, status, message } }`. Never serves
// agents and never returns private keys (the NS holds none for agents).
import { defineNsPlugin } from '../context.js';
import { jsonErrorHandler } from '../http-errors.js';
import { registerComputerRoutes } from './computers.js';
import { registerEventRoutes } from './events.js';
import { registerFlowRoutes } from './flows.js';
import { registerPolicyRoutes } from './policies.js';
import { registerResourceRoutes } from './resources.js';

export const consoleApiPlugin = defineNsPlugin({
  name: 'console-api',
  prefix: '/Altiris/Console/api',
  async register(scope, ctx) {
    scope.setErrorHandler(jsonErrorHandler);
    scope.setNotFoundHandler((req, reply) => {
      void reply.code(404).send({ error: { status: 404, code: 'SMP_ERR_NOT_FOUND', message: `no API route ${req.method} ${req.url.split('?')[0]}` } });
    });
    registerResourceRoutes(scope, ctx);
    registerPolicyRoutes(scope, ctx);
    registerEventRoutes(scope, ctx);
    registerComputerRoutes(scope, ctx);
    registerFlowRoutes(scope, ctx);
  },
});
