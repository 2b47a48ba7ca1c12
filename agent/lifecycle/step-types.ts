// The vocabulary of one agent's lifecycle steps, shared by the step functions and the engine: which
// step, and what a finished step reports (its endpoint, outcome, and the step that follows). Types
// and constants only.
import type { Endpoint, Outcome } from '../load/outcome.js';

export enum Step { NONE = 0, INSTALL = 1, REGISTER = 2, INVENTORY = 3, POLICIES = 4, PACKAGES = 5, IDLE = 6 }

export interface StepResult {
  readonly endpoint: Endpoint;
  readonly outcome: Outcome;
  /** Step to take next (absent on failure: the same step is retried with backoff). */
  readonly next?: Step;
  readonly delayMs?: number;
  /** Server-requested wait before the retry (Retry-After, back-off), ms. */
  readonly retryAfterMs?: number;
  /** The step recorded its own requests (several per step): the engine records nothing more. */
  readonly recorded?: boolean;
}

export const AGENT_PAGES = '/Altiris/NS/Agent';
