// Random secrets handed to clients (codes, refresh tokens, CSRF tokens) and their stored form.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url: what a client is given. */
export const newSecret = (): string => randomBytes(32).toString('base64url');

/** What the store keeps of a secret: its SHA-256, so a copy of the store gives nobody a usable token. */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('base64url');

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
export const PKCE_VALUE: RegExp = /^[A-Za-z0-9\-._~]{43,128}$/;

/** RFC 7636 §4.6, S256: whether `verifier` is the one `challenge` was made from. */
export function pkceMatches(verifier: string, challenge: string): boolean {
  if (!PKCE_VALUE.test(verifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
