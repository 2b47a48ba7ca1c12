// Secured policy envelope (notes §2.7, public layout from EvilAltiris; the parts it leaves open are
// smp-lab v1): u16 LE key-block length k | RSA PKCS#1 v1.5 block of k bytes holding the 82-byte
// header (u16 LE header version 2, AES-256 key 32, IV 16, hash key 32) | AES-256-CTR payload whose
// keystream block n = AES-ECB(key, IV with its last 4 bytes XOR n as u32 LE) | 32-byte
// HMAC-SHA256(hash key, every byte before the trailer). Never carries the agent's private key.
import { createCipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import forge from 'node-forge';
import { smpError } from '../errors.js';
import type { PolicyKey } from './policy-key.js';

export const SECURED_HEADER_VERSION = 2;
const HEADER_BYTES = 82;
const MAC_BYTES = 32;

export interface EnvelopeSecrets {
  readonly aesKey: Buffer;
  readonly iv: Buffer;
  readonly hashKey: Buffer;
}

export const freshSecrets = (): EnvelopeSecrets => ({ aesKey: randomBytes(32), iv: randomBytes(16), hashKey: randomBytes(32) });

/** The counter-from-ECB keystream applied to `data` (same call encrypts and decrypts). */
export function ctrFromEcb(aesKey: Buffer, iv: Buffer, data: Buffer): Buffer {
  const blocks = Math.ceil(data.length / 16);
  const counters = Buffer.alloc(blocks * 16);
  for (let n = 0; n < blocks; n += 1) {
    const o = n * 16;
    iv.copy(counters, o);
    counters.writeUInt32LE((counters.readUInt32LE(o + 12) ^ n) >>> 0, o + 12);
  }
  const ecb = createCipheriv('aes-256-ecb', aesKey, null).setAutoPadding(false);
  const stream = Buffer.concat([ecb.update(counters), ecb.final()]);
  const out = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i += 1) out[i] = data[i]! ^ stream[i]!;
  return out;
}

const forgePublic = (k: PolicyKey) =>
  forge.pki.setRsaPublicKey(new forge.jsbn.BigInteger(k.modulus.toString('hex'), 16), new forge.jsbn.BigInteger(String(k.exponent), 10));

export function encodeSecuredPolicy(plain: Buffer, agentKey: PolicyKey, secrets: EnvelopeSecrets = freshSecrets()): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16LE(SECURED_HEADER_VERSION, 0);
  secrets.aesKey.copy(header, 2);
  secrets.iv.copy(header, 34);
  secrets.hashKey.copy(header, 50);
  const block = Buffer.from(forgePublic(agentKey).encrypt(header.toString('binary'), 'RSAES-PKCS1-V1_5'), 'binary');
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16LE(block.length, 0);
  const body = Buffer.concat([prefix, block, ctrFromEcb(secrets.aesKey, secrets.iv, plain)]);
  return Buffer.concat([body, createHmac('sha256', secrets.hashKey).update(body).digest()]);
}

export interface DecodedEnvelope {
  readonly plain: Buffer;
  readonly headerVersion: number;
}

/** Agent side: open the envelope with the agent's private key (PEM or forge key). */
export function decodeSecuredPolicy(envelope: Buffer, privateKey: string | forge.pki.rsa.PrivateKey, maxBytes = 16 * 1024 * 1024): DecodedEnvelope {
  if (envelope.length > maxBytes) throw smpError('TOO_LARGE', `secured policy is ${envelope.length} bytes; limit ${maxBytes}`);
  if (envelope.length < 2 + MAC_BYTES) throw smpError('BAD_FRAME', 'secured policy is too short');
  const k = envelope.readUInt16LE(0);
  if (k < 64 || k > 1024 || envelope.length < 2 + k + MAC_BYTES) throw smpError('BAD_FRAME', `secured policy key block length ${k} does not fit`);
  const key = typeof privateKey === 'string' ? forge.pki.privateKeyFromPem(privateKey) : privateKey;
  let header: Buffer;
  try {
    header = Buffer.from(key.decrypt(envelope.subarray(2, 2 + k).toString('binary'), 'RSAES-PKCS1-V1_5'), 'binary');
  } catch (err) {
    throw smpError('CRYPTO', 'secured policy header does not decrypt with this key', {}, err);
  }
  if (header.length !== HEADER_BYTES) throw smpError('BAD_FRAME', `secured policy header is ${header.length} bytes, expected ${HEADER_BYTES}`);
  const headerVersion = header.readUInt16LE(0);
  if ((headerVersion & 0xff) === 1 || headerVersion !== SECURED_HEADER_VERSION) {
    throw smpError('UNSUPPORTED_VERSION', `secured policy header version ${headerVersion}; smp-lab reads version ${SECURED_HEADER_VERSION}`);
  }
  const aesKey = header.subarray(2, 34);
  const iv = header.subarray(34, 50);
  const hashKey = header.subarray(50, 82);
  const macAt = envelope.length - MAC_BYTES;
  const mac = createHmac('sha256', hashKey).update(envelope.subarray(0, macAt)).digest();
  if (!timingSafeEqual(mac, envelope.subarray(macAt))) throw smpError('CRYPTO', 'secured policy MAC does not match: altered or truncated');
  return { plain: ctrFromEcb(aesKey, iv, envelope.subarray(2 + k, macAt)), headerVersion };
}
