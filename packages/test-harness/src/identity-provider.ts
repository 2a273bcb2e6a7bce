// An external OpenID provider / OAuth authorization server for tests: panva's oidc-provider on
// 127.0.0.1. Machine clients get RFC 9068 JWT access tokens (client_credentials with a resource
// indicator); a web client signs people in through its development login and consent pages.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import Provider from 'oidc-provider';

/** A client the provider knows. */
export interface IdentityProviderClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** With redirect URIs: a sign-in client (authorization code); without: a machine client (client_credentials). */
  readonly redirectUris?: readonly string[];
}

/** Options of {@link startIdentityProvider}. */
export interface IdentityProviderOptions {
  readonly clients: readonly IdentityProviderClient[];
  /** Scopes it grants (and puts in access tokens). Default: `read run admin`. */
  readonly scopes?: readonly string[];
  /** Listen on this port (when a client's redirect URI must be known first). Default: any free one. */
  readonly port?: number;
}

/** A running provider. */
export interface IdentityProvider {
  /** `http://127.0.0.1:<port>` */
  readonly issuer: string;
  /** A client_credentials access token for `resource` (its audience). */
  machineToken(client: IdentityProviderClient, resource: string, scope: string): Promise<string>;
  close(): Promise<void>;
}

function providerClient(client: IdentityProviderClient, scope: string): Record<string, unknown> {
  const signIn = client.redirectUris !== undefined && client.redirectUris.length > 0;
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uris: signIn ? [...client.redirectUris] : [],
    grant_types: signIn ? ['authorization_code'] : ['client_credentials'],
    response_types: signIn ? ['code'] : [],
    scope,
    id_token_signed_response_alg: 'ES256',
  };
}

/**
 * Starts the provider. People sign in at its development pages (any login, any password); their
 * subject is the login and their verified e-mail `<login>@example.com`.
 *
 * @example
 * const idp = await startIdentityProvider({ clients: [{ clientId: 'robot', clientSecret: 'a long secret' }] });
 * const token = await idp.machineToken(idp.clients[0], 'http://127.0.0.1:3000/mcp', 'read');
 * await idp.close();
 */
export async function startIdentityProvider(options: IdentityProviderOptions): Promise<IdentityProvider> {
  const http: Server = createServer();
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const scopes = options.scopes ?? ['read', 'run', 'admin'];
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const provider = new Provider(issuer, {
    clients: options.clients.map((client) => providerClient(client, ['openid', 'email', ...scopes].join(' '))) as never,
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-idp', alg: 'ES256', use: 'sig' }] as never },
    scopes: ['openid', 'email', ...scopes],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    findAccount: (_context: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id, email: `${id}@example.com`, email_verified: true }) }),
    features: {
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Only machine tokens name a resource; a sign-in gets the provider's own tokens.
        defaultResource: () => undefined as unknown as string,
        getResourceServerInfo: (_context: unknown, indicator: string) => ({ scope: scopes.join(' '), audience: indicator, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'ES256' } } }),
      },
    },
  } as never);
  const handle = provider.callback();
  http.on('request', (request, response) => void handle(request, response));
  return {
    issuer,
    async machineToken(client, resource, scope) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }),
      });
      const body = (await response.json()) as { access_token?: string };
      if (typeof body.access_token !== 'string') throw new Error(`the identity provider gave no token: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    close: () => new Promise((resolve) => http.close(() => resolve())),
  };
}
