// The pages of /Altiris/NS/Agent: ONE LINE A PAGE (write server/ns/agent/<page>.ts with
// defineAgentPage and add it here).
import { createResourcePage } from './create-resource.js';
import { getClientPoliciesPage } from './get-client-policies.js';
import type { AgentPage } from './page.js';
import { postEventPages } from './post-event.js';

export const AGENT_PAGES: readonly AgentPage[] = [
  createResourcePage,
  getClientPoliciesPage,
  ...postEventPages,
];
