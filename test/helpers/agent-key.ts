// RSA-2048 agent key pairs for tests: node:crypto generates (fast), the codecs take the pieces.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { policyKeyFromJwk } from '../../shared/protocol/policy-key.js';

export interface AgentKey {
  readonly policyKey: string;
  readonly privatePem: string;
  readonly privateKey: KeyObject;
}

export function agentKey(): AgentKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    policyKey: policyKeyFromJwk(publicKey.export({ format: 'jwk' })),
    privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    privateKey,
  };
}
