// Resource-server mode against a real external authorization server: panva's oidc-provider on
// 127.0.0.1, issuing RFC 9068 JWT access tokens (client_credentials, resource indicators). Its
// tokens for this resource pass; for another audience, tampered, or from an issuer that is gone,
// they are refused.
import { startIdentityProvider, type IdentityProvider } from '@claude-code-mcp/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { externalTokenVerifier } from '../src/index.js';

const machine = { clientId: 'machine', clientSecret: 'a secret of the external machine client' };
let idp: IdentityProvider;
let issuer: string;
const resource = 'http://127.0.0.1:9/mcp';
const otherResource = 'https://other.example/api';

beforeAll(async () => {
  idp = await startIdentityProvider({ clients: [machine] });
  issuer = idp.issuer;
});
afterAll(async () => {
  await idp.close();
});

const tokenFor = (audience: string, scope = 'read run') => idp.machineToken(machine, audience, scope);

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

  it('compares an audience exactly as configured: a URN, a trailing slash', async () => {
    for (const audience of ['urn:example:claude-code-mcp', 'https://api.example.com/']) {
      for (const profile of ['rfc9068', 'jwt'] as const) {
        const verifier = externalTokenVerifier({ issuer, audience, resource, profile });
        await expect(verifier.verify(await tokenFor(audience))).resolves.toMatchObject({ clientId: 'machine', resource: new URL(resource) });
      }
    }
    await expect(externalTokenVerifier({ issuer, audience: 'https://api.example.com', resource }).verify(await tokenFor('https://api.example.com/'))).rejects.toMatchObject({ code: 'OAUTH_SERVER_INVALID_TOKEN' });
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
