// The agent's policyKey: base64 of a 262-byte blob carrying its RSA-2048 public key (public:
// EvilAltiris RSAKeyGenerator): byte 0 version (0), byte 1 flags (0), byte 2 zero, bytes 3-5 the
// public exponent big-endian, bytes 6-261 the modulus big-endian. Pure; never holds private keys.
import { smpError } from '../errors.js';

export const POLICY_KEY_BYTES = 262;
const MODULUS_BYTES = 256;
/** Longest base64 text accepted (262 bytes -> 352 chars, plus whitespace slack). */
const MAX_TEXT = 512;

export interface PolicyKey {
  /** Public exponent, e.g. 65537. */
  readonly exponent: number;
  /** 256-byte big-endian modulus. */
  readonly modulus: Buffer;
}

export function encodePolicyKey(k: PolicyKey): string {
  if (k.modulus.length > MODULUS_BYTES || k.modulus.length < MODULUS_BYTES - 8) {
    throw smpError('CRYPTO', `policyKey needs a 2048-bit modulus; got ${k.modulus.length * 8} bits`);
  }
  if (!Number.isInteger(k.exponent) || k.exponent < 3 || k.exponent > 0xffffff) {
    throw smpError('CRYPTO', 'policyKey exponent must fit in 3 bytes');
  }
  const out = Buffer.alloc(POLICY_KEY_BYTES);
  out.writeUIntBE(k.exponent, 3, 3);
  k.modulus.copy(out, POLICY_KEY_BYTES - k.modulus.length);
  return out.toString('base64');
}

export function decodePolicyKey(text: unknown): PolicyKey {
  if (typeof text !== 'string' || text.length === 0) throw smpError('MISSING_PARAMETER', 'policyKey is missing');
  if (text.length > MAX_TEXT) throw smpError('CRYPTO', `policyKey is ${text.length} characters; a 262-byte key is 352`);
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw smpError('CRYPTO', 'policyKey is not base64');
  }
  const blob = Buffer.from(compact, 'base64');
  if (blob.length !== POLICY_KEY_BYTES) {
    throw smpError('CRYPTO', `policyKey blob is ${blob.length} bytes; expected ${POLICY_KEY_BYTES} (RSA-2048)`);
  }
  if (blob[0] !== 0 || blob[1] !== 0 || blob[2] !== 0) {
    throw smpError('UNSUPPORTED_VERSION', `policyKey version/flags ${blob[0]}/${blob[1]}/${blob[2]} unknown; expected 0/0/0`);
  }
  const exponent = blob.readUIntBE(3, 3);
  const modulus = blob.subarray(6);
  if (exponent < 3 || exponent % 2 === 0) throw smpError('CRYPTO', `policyKey exponent ${exponent} is not a usable RSA exponent`);
  if ((modulus[0]! & 0x80) === 0 || (modulus[MODULUS_BYTES - 1]! & 1) === 0) {
    throw smpError('CRYPTO', 'policyKey modulus is not a 2048-bit odd number');
  }
  return { exponent, modulus: Buffer.from(modulus) };
}

/** The key as a JWK (for node:crypto verify/encrypt). */
export function policyKeyJwk(k: PolicyKey): { kty: 'RSA'; n: string; e: string } {
  const e = Buffer.alloc(3);
  e.writeUIntBE(k.exponent, 0, 3);
  let start = 0;
  while (start < e.length - 1 && e[start] === 0) start += 1;
  return { kty: 'RSA', n: k.modulus.toString('base64url'), e: e.subarray(start).toString('base64url') };
}

/** Builds the blob from a JWK public key (agent side, after generating a key pair). */
export function policyKeyFromJwk(jwk: { n?: string; e?: string }): string {
  if (!jwk.n || !jwk.e) throw smpError('CRYPTO', 'the JWK has no RSA modulus/exponent');
  const modulus = Buffer.from(jwk.n, 'base64url');
  const e = Buffer.from(jwk.e, 'base64url');
  return encodePolicyKey({ exponent: e.readUIntBE(0, e.length), modulus });
}
