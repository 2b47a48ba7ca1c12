// The Notification Server's IIS virtual directories: ONE LINE A PLUGIN. Add yours here (write it
// with defineNsPlugin in server/ns/<dir>/plugin.ts); the factory registers them in this order.
import type { NsPlugin } from './context.js';
import { agentPlugin } from './agent/plugin.js';
import { consoleApiPlugin } from './console/plugin.js';
import { consoleAccessPlugin } from './console-access/plugin.js';
import { consoleAppPlugin } from './console-app/plugin.js';
import { taskConsolePlugin } from './task-management/console-routes.js';
import { taskManagementPlugin } from './task-management/plugin.js';
import { nscapPlugin } from './nscap/plugin.js';
import { packageSharePlugin, psSharePlugin } from './packages/share-plugins.js';
import { ticklePlugin } from './tickle/plugin.js';

export const NS_PLUGINS: readonly NsPlugin[] = [
  agentPlugin, // /Altiris/NS/Agent
  consoleAccessPlugin, // /Altiris/Console/login, /logout, /api/session, /api/tokens (the guard itself is the factory's)
  consoleApiPlugin, // /Altiris/Console/api
  consoleAppPlugin, // /Altiris/Console (pages, assets, /live WebSocket)
  ticklePlugin, // /Altiris/Console/api/tickle
  taskManagementPlugin, // /Altiris/TaskManagement (and the 50123 tickle server)
  taskConsolePlugin, // /Altiris/Console/api/tasks, /task-servers
  nscapPlugin, // /Altiris/NS/NSCap
  packageSharePlugin, // /Altiris/PackageShare
  psSharePlugin, // /Altiris/PS/Share
];
