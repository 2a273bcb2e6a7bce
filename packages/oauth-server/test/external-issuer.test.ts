// Resource-server mode against a real external authorization server: panva's oidc-provider on
// 127.0.0.1, issuing RFC 9068 JWT access tokens (client_credentials, resource indicators). Its
// tokens for this resource pass; for another audience, tampered, or from an issuer that is gone,
// they are refused.
import { createServer, type Server } from 'node:http';

import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { externalTokenVerifier } from '../src/index.js';

const SECRET = 'a secret of the external machine client';
let issuer: string;
let server: Server;
const resource = 'http://127.0.0.1:9/mcp';
const otherResource = 'https://other.example/api';

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  issuer = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'machine', client_secret: SECRET, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope: 'read run admin', id_token_signed_response_alg: 'ES256' }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'ES256', use: 'sig' }] },
    scopes: ['read', 'run', 'admin'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        getResourceServerInfo: (_context: unknown, indicator: string) => ({ scope: 'read run admin', audience: indicator, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'ES256' } } }),
      },
    },
  });
  const handle = provider.callback();
  server.on('request', (request, response) => void handle(request, response));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function tokenFor(audience: string, scope = 'read run'): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`machine:${SECRET}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: audience, scope }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (typeof body.access_token !== 'string') throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

describe('externalTokenVerifier against oidc-provider', () => {
  it('accepts its RFC 9068 tokens for this resource, with client, subject and scopes', async () => {
    const verifier = externalTokenVerifier({ issuer, audience: resource });
    const token = await tokenFor(resource);
    const verified = await verifier.verify(token);
    expect(verified).toMatchObject({ clientId: 'machine', scopes: ['read', 'run'], resource: new URL(resource), extra: { subject: 'machine' } });
    expect(verified.expiresAt).toBeGreaterThan(Date.now() / 1000);
    // The jwt profile reads the same token through the claim names.
    expect(await externalTokenVerifier({ issuer, audience: resource, profile: 'jwt' }).verify(token)).toMatchObject({ clientId: 'machine', scopes: ['read', 'run'] });
  });

  it('refuses its tokens for another audience, a tampered one, and garbage', async () => {
    const verifier = externalTokenVerifier({ issuer, audience: resource });
    await expect(verifier.verify(await tokenFor(otherResource))).rejects.toMatchObject({ code: 'OAUTH_SERVER_INVALID_TOKEN' });
    await expect(externalTokenVerifier({ issuer, audience: resource, profile: 'jwt' }).verify(await tokenFor(otherResource))).rejects.toMatchObject({ code: 'OAUTH_SERVER_INVALID_TOKEN' });
    const [head, payload, signature] = (await tokenFor(resource)).split('.');
    const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), scope: 'read run admin' })).toString('base64url');
    await expect(verifier.verify(`${head}.${widened}.${signature}`)).rejects.toMatchObject({ code: 'OAUTH_SERVER_INVALID_TOKEN' });
    await expect(verifier.verify('not-a-jwt')).rejects.toMatchObject({ code: 'OAUTH_SERVER_INVALID_TOKEN' });
  });

  it('refuses everything, as unavailable, when the issuer cannot be reached; and checks its options', async () => {
    const gone = externalTokenVerifier({ issuer: 'http://127.0.0.1:9', audience: resource });
    await expect(gone.verify(await tokenFor(resource))).rejects.toMatchObject({ code: 'OAUTH_SERVER_ISSUER_UNAVAILABLE' });
    expect(() => externalTokenVerifier({ issuer: 'ftp://x', audience: resource })).toThrow(expect.objectContaining({ code: 'OAUTH_SERVER_INVALID_URL' }) as unknown);
    expect(() => externalTokenVerifier({ issuer, audience: resource, algorithms: ['none'] })).toThrow(expect.objectContaining({ code: 'OAUTH_SERVER_INVALID_OPTIONS' }) as unknown);
  });
});
