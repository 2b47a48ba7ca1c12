// The store's table groups: ONE LINE A MODULE. To add tables (tasks, packages, ...) write
// `store/<group>.ts` with defineStoreModule and add it here; `store.<key>` is then typed everywhere.
import { eventsModule } from './events.js';
import { packagesModule } from './packages.js';
import { policiesModule } from './policies.js';
import { resourcesModule } from './resources.js';
import { tasksModule } from '../task-management/task-store.js';

export const STORE_MODULES = {
  resources: resourcesModule,
  policies: policiesModule,
  events: eventsModule,
  tasks: tasksModule,
  packages: packagesModule,
} as const;
