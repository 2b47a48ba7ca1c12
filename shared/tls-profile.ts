// The TLS versions, suites and curves of every smp-lab HTTPS listener (NS, TS): one place, so an
// audit with `nmap --script ssl-enum-ciphers` sees the same profile on each. Data only.

/**
 * Mozilla's intermediate profile (ssl-config.mozilla.org, v5.7) without its DHE suites: TLS 1.3's three
 * suites, and for TLS 1.2 forward-secret ECDHE with AEAD ciphers only (no static RSA, no CBC, no SHA-1).
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');
export const TLS_CURVES = 'X25519:prime256v1:secp384r1';

/** The protocol versions and suites of every smp-lab HTTPS listener (NS and TS). */
export const TLS_PROFILE = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', ciphers: TLS_CIPHERS, ecdhCurve: TLS_CURVES } as const;
