// One lifecycle step of one agent: the request it makes, how the answer is judged (HTTP status, XML
// that must decode, SMP error codes) and which step follows. Steps never throw: every failure becomes
// an outcome the engine counts and retries with backoff.
import { isSmpError } from '../../shared/errors.js';
import { decodeCreateResourceResponse } from '../../shared/protocol/create-resource.js';
import type { Endpoint, Outcome } from '../load/stats.js';
import type { FleetEngine } from './fleet-engine.js';
import { basicInventoryBody, clientPoliciesBody, createResourceBody, decodeClientPoliciesResponse, settingsOf } from './messages.js';

export enum Step { NONE = 0, INSTALL = 1, REGISTER = 2, INVENTORY = 3, POLICIES = 4, PACKAGES = 5, IDLE = 6 }

export interface StepResult {
  readonly endpoint: Endpoint;
  readonly outcome: Outcome;
  /** Step to take next (absent on failure: the same step is retried with backoff). */
  readonly next?: Step;
  readonly delayMs?: number;
  /** Server-requested wait before the retry (Retry-After, back-off), ms. */
  readonly retryAfterMs?: number;
}

export const AGENT_PAGES = '/Altiris/NS/Agent';
const INSTALLERS: Record<string, string> = {
  windows: '/Altiris/NS/NSCap/Bin/Win32/X86/NS%20Client%20Package/AeXNSC.exe',
  linux: '/Altiris/NS/NSCap/Bin/Unix/AgentInstall/Linux/x64/aex-bootstrap-linux',
  mac: '/Altiris/NS/NSCap/Bin/Unix/AgentInstall/Linux/x64/aex-bootstrap-linux',
};

const retryAfter = (h: string | string[] | undefined, accelerate: number): number | undefined => {
  const s = Number(Array.isArray(h) ? h[0] : h);
  return Number.isFinite(s) && s >= 0 ? (s * 1000) / accelerate : undefined;
};

/** True when an error body names this SMP error code. */
const names = (body: Buffer, code: string): boolean => body.length < 4096 && body.toString('utf8').includes(`code="${code}"`);

export async function runStep(e: FleetEngine, k: number, step: Step): Promise<StepResult> {
  const global = e.opts.start + k;
  const id = e.opts.ids.identity(global);
  const localAddress = e.opts.sourceAddress ? id.ip : undefined;
  const req = (method: string, path: string, body?: string, keepBody = true) => e.http.request(method, path, {
    ...(body !== undefined ? { body } : {}), keepBody, ...(localAddress ? { localAddress } : {}),
    headers: { 'x-sma-id': id.guid, 'user-agent': `Altiris-Agent/${id.os.family} smp-lab` },
  });
  const accel = e.opts.accelerate ?? 1;
  switch (step) {
    case Step.INSTALL: {
      const r = await req('GET', INSTALLERS[id.os.family] ?? INSTALLERS['windows']!, undefined, false);
      if (r.outcome !== 'ok') return { endpoint: 'install', outcome: r.outcome };
      e.flags[k]! |= 4;
      return { endpoint: 'install', outcome: 'ok', next: Step.REGISTER };
    }
    case Step.REGISTER: {
      const r = await req('POST', `${AGENT_PAGES}/CreateResource.aspx`, createResourceBody(id, e.opts.keys.key(global).policyKey));
      if (r.outcome !== 'ok') return { endpoint: 'create-resource', outcome: r.outcome };
      let status: string;
      try {
        status = decodeCreateResourceResponse(r.body).status;
      } catch {
        return { endpoint: 'create-resource', outcome: 'bad-xml' };
      }
      if (status === 'blocked') return { endpoint: 'create-resource', outcome: 'ok', next: Step.NONE };
      if (status === 'pending') {
        // Registration waits for an admin or a policy: ask again on the configuration interval.
        return { endpoint: 'create-resource', outcome: 'ok', next: Step.REGISTER, delayMs: e.jittered(e.intervalMs[k]!) };
      }
      e.flags[k]! |= 2;
      return { endpoint: 'create-resource', outcome: 'ok', next: e.flags[k]! & 8 ? Step.POLICIES : Step.INVENTORY };
    }
    case Step.INVENTORY: {
      const r = await req('POST', `${AGENT_PAGES}/PostEvent.aspx`, basicInventoryBody(id, id.guid));
      if (r.outcome !== 'ok') return { endpoint: 'post-event', outcome: r.outcome, ...withRetry(r.headers['retry-after'], accel) };
      e.flags[k]! |= 8;
      e.nextInventoryAt[k] = performance.now() + e.jittered(e.inventoryIntervalMs);
      return { endpoint: 'post-event', outcome: 'ok', next: e.checkins[k] === 0 || e.flags[k]! & 64 ? Step.POLICIES : Step.IDLE };
    }
    case Step.POLICIES:
      return policies(e, k, req);
    default:
      return { endpoint: 'get-client-policies', outcome: 'ok', next: Step.IDLE };
  }
}

const withRetry = (h: string | string[] | undefined, accel: number) => {
  const ms = retryAfter(h, accel);
  return ms === undefined ? {} : { retryAfterMs: ms };
};

type Req = (method: string, path: string, body?: string) => ReturnType<FleetEngine['http']['request']>;

async function policies(e: FleetEngine, k: number, req: Req): Promise<StepResult> {
  const id = e.opts.ids.guid(e.opts.start + k);
  const hash = e.hashId[k] ? e.hashes[e.hashId[k]!]! : null;
  const r = await req('POST', `${AGENT_PAGES}/GetClientPolicies.aspx`, clientPoliciesBody(id, hash));
  if (r.outcome === 'http-4xx' && names(r.body, 'SMP_ERR_UNKNOWN_RESOURCE')) {
    // The NS has forgotten this computer: register again, as a real agent does.
    e.flags[k]! &= ~(2 | 8);
    return { endpoint: 'get-client-policies', outcome: r.outcome, next: Step.REGISTER };
  }
  if (r.outcome !== 'ok') return { endpoint: 'get-client-policies', outcome: r.outcome, ...withRetry(r.headers['retry-after'], e.opts.accelerate ?? 1) };
  let settings;
  let hashNow: string;
  try {
    const decoded = decodeClientPoliciesResponse(r.body);
    hashNow = decoded.hash;
    settings = decoded.unchanged ? null : settingsOf(decoded);
  } catch (err) {
    return { endpoint: 'get-client-policies', outcome: isSmpError(err) ? 'bad-xml' : 'other' };
  }
  e.lastCheckin[k] = performance.now();
  e.checkins[k]! += 1;
  if (hashNow) e.hashId[k] = e.internHash(hashNow);
  if (settings) {
    if (e.opts.intervalMs === undefined && settings.configIntervalMs !== null) e.intervalMs[k] = settings.configIntervalMs;
    if (settings.inventoryIntervalMs !== null) e.inventoryIntervalMs = settings.inventoryIntervalMs;
  }
  return { endpoint: 'get-client-policies', outcome: 'ok', next: Step.IDLE };
}
