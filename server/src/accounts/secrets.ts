import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random URL-safe token (256 bits) for cookies, links and one-time codes sent to people. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/**
 * Random tokens are high-entropy, so SHA-256 is the right way to store them: a database leak does not
 * reveal usable tokens, and lookups by hash need no slow hash.
 */
export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** Constant-time comparison of two strings (different lengths compare false without leaking where). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
