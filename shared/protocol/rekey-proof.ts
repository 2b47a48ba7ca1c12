// smp-lab re-key proof v1: a registered computer may change its policyKey only by signing the new
// key with the old one. Signed text: "smp-lab-rekey/1\n" + GUID (canonical) + "\n" + new policyKey
// (base64 as sent); RSASSA-PKCS1-v1_5 with SHA-256 under the old key; base64 in `rekeySignature`.
import { createPublicKey, sign, verify, type KeyLike } from 'node:crypto';
import { policyKeyJwk, type PolicyKey } from './policy-key.js';

export const rekeyMessage = (guid: string, newPolicyKey: string): Buffer =>
  Buffer.from(`smp-lab-rekey/1\n${guid}\n${newPolicyKey}`, 'utf8');

/** Agent side: sign the new key with the old private key. */
export function signRekey(guid: string, newPolicyKey: string, oldPrivateKey: KeyLike): string {
  return sign('sha256', rekeyMessage(guid, newPolicyKey), oldPrivateKey).toString('base64');
}

/** NS side: true only for a valid signature by the registered (old) key. */
export function verifyRekey(guid: string, newPolicyKey: string, oldKey: PolicyKey, signature: string): boolean {
  if (signature.length > 1024 || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    const key = createPublicKey({ key: policyKeyJwk(oldKey), format: 'jwk' });
    return verify('sha256', rekeyMessage(guid, newPolicyKey), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
