// Password hashes: scrypt (node:crypto, no native addon) with a per-password salt, parameters kept
// in the hash so they can be raised later without breaking stored ones.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
// 128 · N · r bytes are needed; a little more so Node does not refuse.
const maxmemFor = (N: number, r: number) => 128 * N * r + 8 * 1024 * 1024;
/** Longer passwords are refused: scrypt would hash them, but nobody types them, and they cost memory. */
export const MAX_PASSWORD_LENGTH = 1024;

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: maxmemFor(cost.N, cost.r) };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))));
}


/**
 * Hashes a password for storage: `scrypt$N$r$p$<salt>$<hash>` (base64url salt and hash).
 *
 * @example
 * ```ts
 * const passwordHash = await hashPassword(process.env.ADMIN_PASSWORD);
 * ```
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

const STORED = /^scrypt\$(\d{1,7})\$(\d{1,2})\$(\d{1,2})\$([\w-]{16,64})\$([\w-]{32,128})$/;

/**
 * Whether `password` is the one `stored` was made from, compared in constant time. A hash of
 * another format, or with parameters out of bounds, never matches.
 *
 * @example
 * ```ts
 * if (!(await verifyPassword(form.get('password') ?? '', user.passwordHash))) return wrongPassword();
 * ```
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = STORED.exec(stored);
  if (match === null || password.length > MAX_PASSWORD_LENGTH) return false;
  const cost = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  if (cost.N < 2 ** 14 || cost.N > 2 ** 20 || (cost.N & (cost.N - 1)) !== 0 || cost.r < 1 || cost.r > 32 || cost.p < 1 || cost.p > 16) return false;
  const expected = Buffer.from(match[5]!, 'base64url');
  const key = await derive(password, Buffer.from(match[4]!, 'base64url'), cost);
  return key.length === expected.length && timingSafeEqual(key, expected);
}
