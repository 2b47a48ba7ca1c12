// Wires the console's access control into the NS app, called by the NS factory before any plugin is
// registered: the cookie plugin (signing with the console secret), @fastify/helmet (headers set by the
// guard on console answers only) and the guard's two root hooks. Plugins cannot reorder it away.
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { ConsoleAccess } from './access.js';
import { consoleGuard, type GuardOptions } from './guard.js';
import { CONSOLE_HELMET } from './headers.js';
import { consoleSettings, type NsConsoleOptions } from './options.js';
import { openAccount } from './password.js';
import { loadOrMakeSecret } from './secret-file.js';

export async function installConsoleAccess(app: FastifyInstance, access: ConsoleAccess, o: GuardOptions): Promise<void> {
  await app.register(fastifyCookie, { secret: access.codec.signer });
  await app.register(fastifyHelmet, CONSOLE_HELMET);
  app.decorateRequest('consoleAuth', null);
  const guard = consoleGuard(access, o);
  app.addHook('onRequest', guard.onRequest);
  app.addHook('preHandler', guard.preHandler);
}

/** The access service of one NS: its secret and account from the data folder (made on first start). */
export async function createConsoleAccess(o: NsConsoleOptions | undefined, dataDir: string): Promise<ConsoleAccess> {
  const settings = consoleSettings(o);
  const secret = loadOrMakeSecret(dataDir);
  const account = await openAccount(settings.user, o?.password, dataDir, secret);
  return new ConsoleAccess(settings, account, secret);
}
