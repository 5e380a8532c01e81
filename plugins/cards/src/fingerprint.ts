import { createHmac, randomBytes } from 'node:crypto';

/**
 * A card fingerprint: hex HMAC-SHA256 of the PAN under a secret key. The same card gives the same
 * fingerprint (for antifraud velocity checks and "this card was used before"), but without the key
 * it cannot be turned back into a number by hashing all ~10^9 plausible PANs of a BIN — which is what
 * a plain SHA-256 of a PAN allows.
 */
export function cardFingerprint(pan: string, key: string | Buffer): string {
  return createHmac('sha256', key).update(pan, 'utf8').digest('hex');
}

/**
 * The sandbox default key: random per process, so fingerprints are stable within a run but change at
 * every restart. Configure `fingerprintKey` wherever fingerprints must survive restarts.
 */
export const PROCESS_FINGERPRINT_KEY: Buffer = randomBytes(32);
