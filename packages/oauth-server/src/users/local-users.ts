// The people who sign in at the authorize endpoint, kept in the authorization server's store.
import { randomUUID } from 'node:crypto';

import { OAuthServerError } from '../errors.js';
import type { AuthorizationStore, UserRecord } from '../store/authorization-store.js';
import { hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from './passwords.js';

const USERNAME = /^[\p{L}\p{N}._@-]{1,64}$/u;
const MIN_PASSWORD_LENGTH = 12;
// Verifying an unknown name costs what verifying a known one does: timing does not tell which names exist.
let decoyHash: Promise<string> | undefined;

/**
 * Creates the first user, an administrator, when the store has no user yet; does nothing
 * otherwise (a password changed in the environment does not overwrite the stored one).
 *
 * @returns `true` when it created the user.
 * @throws {@link OAuthServerError} `OAUTH_SERVER_INVALID_OPTIONS` for a user name outside
 * `[letters digits . _ @ -]{1,64}` or a password shorter than 12 characters.
 * @example
 * ```ts
 * await ensureAdminUser(store, { username: 'admin', password: config.adminPassword });
 * ```
 */
export async function ensureAdminUser(store: AuthorizationStore, options: { readonly username?: string; readonly password: string; readonly now?: () => number }): Promise<boolean> {
  const username = options.username ?? 'admin';
  if (!USERNAME.test(username)) throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', `The admin user name must be 1 to 64 letters, digits, ".", "_", "@" or "-" (got ${JSON.stringify(username)}).`);
  if (typeof options.password !== 'string' || options.password.length < MIN_PASSWORD_LENGTH || options.password.length > MAX_PASSWORD_LENGTH) {
    throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', `The admin password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long.`);
  }
  if ((await store.users.count()) > 0) return false;
  const user: UserRecord = { userId: randomUUID(), username, passwordHash: await hashPassword(options.password), admin: true, createdAt: (options.now ?? Date.now)() };
  await store.users.add(user);
  return true;
}

/**
 * The user whose name and password these are, or `undefined`.
 *
 * @example
 * ```ts
 * const user = await authenticateUser(store, form.get('username') ?? '', form.get('password') ?? '');
 * ```
 */
export async function authenticateUser(store: AuthorizationStore, username: string, password: string): Promise<UserRecord | undefined> {
  const user = USERNAME.test(username) ? await store.users.findByName(username) : undefined;
  decoyHash ??= hashPassword('no user has this password');
  const matches = await verifyPassword(password, user?.passwordHash ?? (await decoyHash));
  return user !== undefined && matches ? user : undefined;
}
