// One lifecycle step of one agent: the request it makes, how the answer is judged (HTTP status, XML
// that must decode, SMP error codes) and which step follows. Steps never throw: every failure becomes
// an outcome the engine counts and retries with backoff.
import { isSmpError } from '../../shared/errors.js';
import { decodeCreateResourceResponse } from '../../shared/protocol/create-resource.js';
import type { FleetEngine } from './fleet-engine.js';
import { deliveryStep } from './delivery.js';
import { basicInventoryBody, clientPoliciesBody, createResourceBody, decodeClientPoliciesResponse, settingsOf } from './messages.js';
import { AGENT_PAGES, Step, type StepResult } from './step-types.js';

export { AGENT_PAGES, Step, type StepResult } from './step-types.js';

/** Installer each OS flavour downloads with `--install` (the NSCap paths of docs/protocol.md §1.8). */
export const INSTALLERS: Readonly<Record<string, string>> = {
  windows: '/Altiris/NS/NSCap/Bin/Win32/X86/NS%20Client%20Package/AeXNSC.exe',
  linux: '/Altiris/NS/NSCap/Bin/Unix/AgentInstall/Linux/x64/aex-bootstrap-linux',
  mac: '/Altiris/NS/NSCap/Bin/Unix/AgentInstall/Mac/Universal/aex-bootstrap-macos',
};

/** Retry-After in ms of server time (the engine's backoff divides it by --accelerate, once). */
const retryAfter = (h: string | string[] | undefined): number | undefined => {
  const s = Number(Array.isArray(h) ? h[0] : h);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
};

/** True when an error body names this SMP error code. */
const names = (body: Buffer, code: string): boolean => body.length < 4096 && body.toString('utf8').includes(`code="${code}"`);

export async function runStep(e: FleetEngine, k: number, step: Step): Promise<StepResult> {
  const global = e.opts.start + k;
  const id = e.opts.ids.identity(global);
  const localAddress = e.opts.sourceAddress ? id.ip : undefined;
  const headers = { 'x-sma-id': id.guid, 'user-agent': `Altiris-Agent/${id.os.family} smp-lab` };
  // Install, registration and the first inventory are each followed at once by the agent's next step.
  const followUp = step === Step.INSTALL || step === Step.REGISTER || (step === Step.INVENTORY && e.checkins[k] === 0);
  const req = (method: string, path: string, body?: string, keepBody = true) => e.http.request(method, path, {
    ...(body !== undefined ? { body } : {}), keepBody, followUp, ...(localAddress ? { localAddress } : {}), headers,
  });
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
      if (r.outcome !== 'ok') return { endpoint: 'post-event', outcome: r.outcome, ...withRetry(r.headers['retry-after']) };
      e.flags[k]! |= 8;
      e.nextInventoryAt[k] = performance.now() + e.jittered(e.inventoryIntervalMs);
      return { endpoint: 'post-event', outcome: 'ok', next: e.checkins[k] === 0 || e.flags[k]! & 64 ? Step.POLICIES : Step.IDLE };
    }
    case Step.POLICIES:
      return policies(e, k, req);
    case Step.PACKAGES:
      return deliveryStep(e, k, { id, localAddress, headers });
    default:
      return { endpoint: 'get-client-policies', outcome: 'ok', next: Step.IDLE };
  }
}

const withRetry = (h: string | string[] | undefined) => {
  const ms = retryAfter(h);
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
  if (r.outcome !== 'ok') return { endpoint: 'get-client-policies', outcome: r.outcome, ...withRetry(r.headers['retry-after']) };
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
    e.holdings?.setWanted(k, settings.packages);
  }
  // A package the policies name and the agent does not hold yet is delivered right after the check-in.
  return { endpoint: 'get-client-policies', outcome: 'ok', next: e.holdings?.pending(k) ? Step.PACKAGES : Step.IDLE };
}
