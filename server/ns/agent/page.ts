// What an agent page is: one .aspx/.asp name under /Altiris/NS/Agent that registers its routes in
// the agent plugin's scope (raw-body parsing and XML errors already set up there).
import type { FastifyInstance } from 'fastify';
import type { NsContext } from '../context.js';

export interface AgentPage {
  /** Page file name as IIS serves it, e.g. `CreateResource.aspx`. */
  readonly name: string;
  register(scope: FastifyInstance, ctx: NsContext): void;
}

export const defineAgentPage = (p: AgentPage): AgentPage => p;
