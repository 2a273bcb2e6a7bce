// GET /oauth/authorize checks the request and shows the sign-in and consent page; POST takes the
// person's answer. The page is bound to the browser that opened it (a cookie) and to its own
// form (a CSRF token): another site can neither submit it nor frame it.
import { randomUUID } from 'node:crypto';

import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';

import { hashSecret, newSecret } from '../grants/secrets.js';
import type { GrantContext } from '../grants/grant-context.js';
import type { InteractionRecord, UserRecord } from '../store/authorization-store.js';
import type { LoginThrottle } from '../users/login-throttle.js';
import { authenticateUser } from '../users/local-users.js';
import type { UpstreamSignIn } from '../upstream/upstream-sign-in.js';
import { consentPage, errorPage, PAGE_HEADERS } from './authorize-pages.js';
import { checkAuthorizeRequest, responseRedirect, type AuthorizeRules, type CheckedAuthorizeRequest } from './authorize-request.js';

export interface AuthorizeEndpointOptions {
  readonly context: GrantContext;
  readonly rules: AuthorizeRules;
  readonly serverName: string;
  readonly scopeDescriptions: Readonly<Record<string, string>>;
  readonly throttle: LoginThrottle;
  readonly interactionLifetimeMs: number;
  readonly route: RouteShorthandOptions;
  /** The person who signs in; default: the store's local users. */
  readonly authenticate?: (username: string, password: string) => Promise<UserRecord | undefined>;
  /** Sign-in through an upstream OpenID provider, offered beside the password. */
  readonly upstream?: UpstreamSignIn;
  /** Scopes only administrators are granted: anyone else's grant leaves them out. */
  readonly adminScopes: readonly string[];
  readonly logger?: { warn(details: Record<string, unknown>, message: string): void };
}

const page = (reply: FastifyReply, status: number, html: string) => reply.code(status).headers(PAGE_HEADERS).send(html);

function cookieName(issuer: string): string {
  // `__Host-` needs Secure, which a plain-http loopback issuer cannot set.
  return issuer.startsWith('https:') ? '__Host-oauth-browser' : 'oauth-browser';
}

function cookieOf(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function queryOf(request: FastifyRequest): URLSearchParams {
  const at = request.url.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : request.url.slice(at + 1));
}

export function registerAuthorizeEndpoint(scope: FastifyInstance, options: AuthorizeEndpointOptions): void {
  const { context } = options;
  const cookie = cookieName(context.issuer);
  const secure = context.issuer.startsWith('https:') ? '; Secure' : '';
  const authenticate = options.authenticate ?? ((username: string, password: string) => authenticateUser(context.store, username, password));

  scope.get('/oauth/authorize', options.route, async (request, reply) => {
    const check = await checkAuthorizeRequest(queryOf(request), options.rules);
    if (check.kind === 'page') return page(reply, check.status, errorPage(check.message));
    if (check.kind === 'redirect') return reply.redirect(responseRedirect(check.redirectUri, context.issuer, { error: check.error, error_description: check.description, state: check.state }), 303);
    const browser = cookieOf(request, cookie) ?? newSecret();
    const csrfToken = newSecret();
    const interaction: InteractionRecord = { id: randomUUID(), csrfHash: hashSecret(csrfToken), browserHash: hashSecret(browser), clientId: check.request.client.clientId, redirectUri: check.request.redirectUri, redirectUriGiven: check.request.redirectUriGiven, state: check.request.state, codeChallenge: check.request.codeChallenge, scopes: check.request.scopes, resource: check.request.resource, expiresAt: context.now() + options.interactionLifetimeMs };
    await context.store.interactions.add(interaction);
    reply.header('set-cookie', `${cookie}=${browser}; Path=/; HttpOnly; SameSite=Lax${secure}`);
    return page(reply, 200, consentPage({ request: check.request, serverName: options.serverName, interactionId: interaction.id, csrfToken, scopeDescriptions: options.scopeDescriptions, ...(options.upstream ? { upstreamName: options.upstream.name } : {}) }));
  });

  scope.post('/oauth/authorize', options.route, async (request, reply) => {
    const form = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
    const interaction = await context.store.interactions.find(form.get('interaction') ?? '');
    if (interaction === undefined || interaction.expiresAt <= context.now()) return page(reply, 400, errorPage('This sign-in page has expired or was already used.'));
    const browser = cookieOf(request, cookie);
    if (browser === undefined || hashSecret(browser) !== interaction.browserHash || hashSecret(form.get('csrf') ?? '') !== interaction.csrfHash) {
      return page(reply, 403, errorPage('This form was not sent from the sign-in page this browser opened (the CSRF check failed).'));
    }
    const client = await options.rules.findClient(interaction.clientId).catch(() => undefined);
    if (client === undefined) return page(reply, 400, errorPage('The application is no longer known to this server.'));
    const checked: CheckedAuthorizeRequest = { client, redirectUri: interaction.redirectUri, redirectUriGiven: interaction.redirectUriGiven !== false, state: interaction.state, codeChallenge: interaction.codeChallenge, scopes: interaction.scopes, resource: interaction.resource };
    if (form.get('decision') === 'upstream' && options.upstream) return reply.headers({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).redirect(await options.upstream.start(interaction.id), 303);
    if (form.get('decision') !== 'approve') return finish(reply, interaction, () => Promise.resolve({ error: 'access_denied', error_description: 'The person denied the request.', state: interaction.state }));
    const username = form.get('username') ?? '';
    const again = (status: number, error: string) =>
      page(reply, status, consentPage({ request: checked, serverName: options.serverName, interactionId: interaction.id, csrfToken: form.get('csrf')!, scopeDescriptions: options.scopeDescriptions, error, username, ...(options.upstream ? { upstreamName: options.upstream.name } : {}) }));
    // Counted before the password is checked: guesses sent at once are counted too.
    const waitMs = options.throttle.begin(username, request.ip);
    if (waitMs > 0) return again(429, `Too many failed sign-ins. Try again in ${Math.ceil(waitMs / 60_000)} minute(s).`);
    const user = await authenticate(username, form.get('password') ?? '');
    if (user === undefined) return again(400, 'Wrong user name or password.');
    options.throttle.succeeded(username, request.ip);
    return approve(reply, interaction, user);
  });

  if (options.upstream) registerUpstreamCallback(scope, options, { cookieOf: (request) => cookieOf(request, cookie), approve, finish });

  async function approve(reply: FastifyReply, interaction: InteractionRecord, user: UserRecord) {
    return finish(reply, interaction, async () => {
      const now = context.now();
      const code = newSecret();
      // An administrator's scopes go to administrators only.
      const scopes = user.admin ? interaction.scopes : interaction.scopes.filter((name) => !options.adminScopes.includes(name));
      await context.store.consents.put({ subject: user.userId, clientId: interaction.clientId, scopes, resource: interaction.resource, grantedAt: now });
      await context.store.codes.add({ codeHash: hashSecret(code), grantId: randomUUID(), clientId: interaction.clientId, subject: user.userId, redirectUri: interaction.redirectUri, redirectUriGiven: interaction.redirectUriGiven !== false, codeChallenge: interaction.codeChallenge, scopes, resource: interaction.resource, expiresAt: now + context.lifetimes.code, usedAt: null });
      return { code, state: interaction.state };
    });
  }

  // An interaction completes once: a second submission of the same page finds it gone.
  async function finish(reply: FastifyReply, interaction: InteractionRecord, response: () => Promise<Record<string, string | null>>) {
    if (!(await context.store.interactions.take(interaction.id))) return page(reply, 400, errorPage('This sign-in page was already used.'));
    const params = await response();
    return reply.headers({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).redirect(responseRedirect(interaction.redirectUri, context.issuer, params), 303);
  }
}

interface CallbackSteps {
  cookieOf(request: FastifyRequest): string | undefined;
  approve(reply: FastifyReply, interaction: InteractionRecord, user: UserRecord): Promise<FastifyReply>;
  finish(reply: FastifyReply, interaction: InteractionRecord, response: () => Promise<Record<string, string | null>>): Promise<FastifyReply>;
}

// The provider sends the browser back here: the sign-in must be the one this browser started,
// checked before the provider's code is spent.
function registerUpstreamCallback(scope: FastifyInstance, options: AuthorizeEndpointOptions, steps: CallbackSteps): void {
  const { context } = options;
  const upstream = options.upstream!;
  scope.get('/oauth/upstream/callback', options.route, async (request, reply) => {
    const callback = new URL(request.url, context.issuer);
    const login = await upstream.take(callback);
    if (login === undefined) return page(reply, 400, errorPage('This sign-in has expired or was already used.'));
    const interaction = await context.store.interactions.find(login.interactionId);
    if (interaction === undefined || interaction.expiresAt <= context.now()) return page(reply, 400, errorPage('This sign-in page has expired or was already used.'));
    const browser = steps.cookieOf(request);
    if (browser === undefined || hashSecret(browser) !== interaction.browserHash) return page(reply, 403, errorPage('This sign-in was not started in this browser.'));
    let outcome: Awaited<ReturnType<UpstreamSignIn['finish']>>;
    try {
      outcome = await upstream.finish(login, callback);
    } catch (error) {
      options.logger?.warn({ err: error }, 'the upstream sign-in failed');
      return page(reply, 502, errorPage(`${upstream.name} could not complete the sign-in. Go back to the application and try again.`));
    }
    if ('denied' in outcome) return steps.finish(reply, interaction, () => Promise.resolve({ error: 'access_denied', error_description: 'The sign-in was not completed.', state: interaction.state }));
    if ('notAllowed' in outcome) {
      options.logger?.warn({ who: outcome.notAllowed }, 'an upstream sign-in of someone not allowed here');
      return steps.finish(reply, interaction, () => Promise.resolve({ error: 'access_denied', error_description: 'This account may not use this server.', state: interaction.state }));
    }
    return steps.approve(reply, interaction, outcome.user);
  });
}
