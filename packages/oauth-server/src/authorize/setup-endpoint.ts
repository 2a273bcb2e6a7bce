// The first administrator, without a password in the environment: the server makes a one-time
// link (a 256-bit token, kept in memory only, for an hour) that the operator opens to choose the
// administrator's name and password. Once used, or once a user exists, the page is gone.
import { timingSafeEqual } from 'node:crypto';

import type { FastifyInstance, FastifyReply, RouteShorthandOptions } from 'fastify';

import { OAuthServerError } from '../errors.js';
import { hashSecret, newSecret } from '../grants/secrets.js';
import type { AuthorizationStore } from '../store/authorization-store.js';
import { ensureAdminUser } from '../users/local-users.js';
import { errorPage, escapeHtml, PAGE_HEADERS, simplePage } from './authorize-pages.js';

const LIFETIME_MS = 3_600_000;

export interface SetupEndpointOptions {
  readonly issuer: string;
  readonly store: AuthorizationStore;
  readonly route: RouteShorthandOptions;
  readonly now: () => number;
}

const page = (reply: FastifyReply, status: number, html: string) => reply.code(status).headers(PAGE_HEADERS).send(html);

function setupForm(token: string, error?: string): string {
  return simplePage(
    'Create the administrator',
    `<h1>Create the administrator</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<p>No one can sign in to this server yet. Choose the administrator's name and password (12 characters or more).</p>
<form method="post" action="setup">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<label for="username">User name</label><input type="text" id="username" name="username" autocomplete="username" required value="admin">
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="new-password" required minlength="12">
<label for="again">Password again</label><input type="password" id="again" name="again" autocomplete="new-password" required minlength="12">
<div class="actions"><button type="submit">Create</button></div>
</form>`,
  );
}

/**
 * Registers `/oauth/setup` when the store has no user: returns the one-time link, or `undefined`
 * when someone can already sign in.
 */
export async function registerSetupEndpoint(scope: FastifyInstance, options: SetupEndpointOptions): Promise<string | undefined> {
  if ((await options.store.users.count()) > 0) return undefined;
  const token = newSecret();
  let expected: Buffer | undefined = Buffer.from(hashSecret(token));
  const expiresAt = options.now() + LIFETIME_MS;
  const valid = (given: string | null) => {
    if (expected === undefined || given === null || options.now() >= expiresAt) return false;
    const hash = Buffer.from(hashSecret(given));
    return hash.length === expected.length && timingSafeEqual(hash, expected);
  };
  scope.get('/oauth/setup', options.route, async (request, reply) => {
    const given = new URL(request.url, options.issuer).searchParams.get('token');
    if (!valid(given)) return page(reply, 404, errorPage('This set-up link is not valid (any more): restart the server for a new one, or sign in.'));
    return page(reply, 200, setupForm(given!));
  });
  scope.post('/oauth/setup', options.route, async (request, reply) => {
    const form = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
    const given = form.get('token');
    if (!valid(given)) return page(reply, 404, errorPage('This set-up link is not valid (any more): restart the server for a new one, or sign in.'));
    const password = form.get('password') ?? '';
    if (password !== form.get('again')) return page(reply, 400, setupForm(given!, 'The two passwords are not the same.'));
    try {
      if (!(await ensureAdminUser(options.store, { username: form.get('username') ?? '', password, now: options.now }))) {
        expected = undefined;
        return page(reply, 409, errorPage('An administrator exists already: sign in from the application.'));
      }
    } catch (error) {
      if (!OAuthServerError.isInstance(error) || error.code !== 'OAUTH_SERVER_INVALID_OPTIONS') throw error;
      return page(reply, 400, setupForm(given!, error.message));
    }
    // One use: the link dies with the first administrator.
    expected = undefined;
    return page(reply, 200, simplePage('Administrator created', '<h1>The administrator is created</h1><p>Close this page and sign in from the application.</p>'));
  });
  return `${options.issuer}/oauth/setup?token=${token}`;
}
