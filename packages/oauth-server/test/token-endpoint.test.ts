// The token endpoint over real HTTP on 127.0.0.1, with oauth4webapi as the client: the
// client_credentials grant for a pre-registered confidential client, and every refusal; the token
// it gets passes oauth4webapi's own RFC 9068 validation against our key set.
import Fastify, { type FastifyInstance } from 'fastify';
import * as oauth from 'oauth4webapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { accessTokenVerifier, createMemoryAuthorizationStore, createMemoryKeyStore, registerAuthorizationServer, SigningKeys, type ConfidentialClient } from '../src/index.js';

const SECRET = 'a-machine-secret-of-some-length';
let app: FastifyInstance;
let origin: string;
let keys: SigningKeys;

const SCOPES = [{ name: 'read', description: 'read' }, { name: 'run', description: 'run' }, { name: 'admin', description: 'admin' }];
const registerTokenEndpoint = (host: FastifyInstance, options: { issuer: string; resource: string; keys: SigningKeys; clients: ConfidentialClient[] }) =>
  registerAuthorizationServer(host, { issuer: options.issuer, resource: options.resource, keys: options.keys, store: createMemoryAuthorizationStore(), scopes: SCOPES, confidentialClients: options.clients, requestsPerMinute: false });

beforeEach(async () => {
  app = Fastify();
  keys = new SigningKeys({ store: createMemoryKeyStore() });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  await app.close();
  // The issuer must be known before the routes are: listen on the port found above.
  app = Fastify();
  await registerTokenEndpoint(app, { issuer: origin, resource: `${origin}/mcp`, keys, clients: [{ clientId: 'machine', clientSecret: SECRET, scopes: ['read', 'run'] }] });
  await app.listen({ host: '127.0.0.1', port: Number(new URL(origin).port) });
});
afterEach(async () => {
  await app.close();
});

const insecure = { [oauth.allowInsecureRequests]: true };
const as = () => ({ issuer: origin, token_endpoint: `${origin}/oauth/token`, jwks_uri: `${origin}/oauth/jwks` }) as oauth.AuthorizationServer;
const client: oauth.Client = { client_id: 'machine' };

async function tokenRequest(form: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) for (const item of [value].flat()) body.append(name, item);
  const response = await fetch(`${origin}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}
const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}` });

describe('the token endpoint', () => {
  it('gives oauth4webapi a client_credentials token that its RFC 9068 validator and ours accept', async () => {
    const response = await oauth.clientCredentialsGrantRequest(as(), client, oauth.ClientSecretBasic(SECRET), new URLSearchParams({ resource: `${origin}/mcp`, scope: 'run' }), insecure);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const result = await oauth.processClientCredentialsResponse(as(), client, response);
    expect(result).toMatchObject({ token_type: 'bearer', scope: 'run' });
    expect(result.expires_in).toBe(3600);
    const claims = await oauth.validateJwtAccessToken(as(), new Request(`${origin}/mcp`, { headers: { authorization: `Bearer ${result.access_token}` } }), `${origin}/mcp`, insecure);
    expect(claims).toMatchObject({ iss: origin, aud: `${origin}/mcp`, sub: 'machine', client_id: 'machine', scope: 'run' });
    const ours = await accessTokenVerifier({ issuer: origin, keys }).verify(result.access_token, { resource: `${origin}/mcp` });
    expect(ours).toMatchObject({ clientId: 'machine', scopes: ['run'] });
    // client_secret_post works too, and without a scope the client gets all of its own.
    const posted = await tokenRequest({ grant_type: 'client_credentials', client_id: 'machine', client_secret: SECRET, resource: `${origin}/mcp` });
    expect(posted.body).toMatchObject({ token_type: 'Bearer', scope: 'read run' });
  });

  it('refuses a wrong secret or an unknown client (401, Basic challenge), and both methods at once', async () => {
    const wrong = await tokenRequest({ grant_type: 'client_credentials', resource: `${origin}/mcp` }, basic('machine', 'not-the-secret'));
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(JSON.stringify(wrong.body)).not.toContain('not-the-secret');
    expect((await tokenRequest({ grant_type: 'client_credentials', resource: `${origin}/mcp` }, basic('stranger', SECRET))).body).toMatchObject({ error: 'invalid_client' });
    expect((await tokenRequest({ grant_type: 'client_credentials', resource: `${origin}/mcp` })).body).toMatchObject({ error: 'invalid_client' });
    const both = await tokenRequest({ grant_type: 'client_credentials', client_id: 'machine', client_secret: SECRET, resource: `${origin}/mcp` }, basic('machine', SECRET));
    expect(both).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const malformed = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: 'Basic !!!' });
    expect(malformed.body).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses another resource or none (invalid_target), a scope beyond the client, another grant, repeated fields and a JSON body', async () => {
    const auth = basic('machine', SECRET);
    expect((await tokenRequest({ grant_type: 'client_credentials' }, auth)).body).toMatchObject({ error: 'invalid_target' });
    expect((await tokenRequest({ grant_type: 'client_credentials', resource: 'https://other.example/mcp' }, auth)).body).toMatchObject({ error: 'invalid_target' });
    expect((await tokenRequest({ grant_type: 'client_credentials', resource: [`${origin}/mcp`, `${origin}/mcp`] }, auth)).body).toMatchObject({ error: 'invalid_target' });
    expect((await tokenRequest({ grant_type: 'client_credentials', resource: `${origin}/mcp`, scope: 'run admin' }, auth)).body).toMatchObject({ error: 'invalid_scope' });
    expect((await tokenRequest({ grant_type: 'password', username: 'u', password: 'p' }, auth)).body).toMatchObject({ error: 'unsupported_grant_type' });
    expect((await tokenRequest({ grant_type: ['client_credentials', 'client_credentials'] }, auth)).body).toMatchObject({ error: 'invalid_request' });
    expect((await tokenRequest({}, auth)).body).toMatchObject({ error: 'invalid_request' });
    const json = await fetch(`${origin}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ grant_type: 'client_credentials' }) });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses what RFC 6749 forbids or a client could abuse: Basic with another client_id, a repeated secret, oversized or non-form bodies (never cached)', async () => {
    const auth = basic('machine', SECRET);
    expect((await tokenRequest({ grant_type: 'client_credentials', client_id: 'someone-else', resource: `${origin}/mcp` }, auth)).body).toMatchObject({ error: 'invalid_request' });
    expect((await tokenRequest({ grant_type: 'client_credentials', client_id: 'machine', client_secret: [SECRET, 'other'], resource: `${origin}/mcp` })).body).toMatchObject({ error: 'invalid_request' });
    const big = await fetch(`${origin}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth }, body: `grant_type=client_credentials&pad=${'x'.repeat(20_000)}` });
    expect(big.status).toBe(400);
    expect(await big.json()).toMatchObject({ error: 'invalid_request' });
    expect(big.headers.get('cache-control')).toBe('no-store');
    const multipart = await fetch(`${origin}/oauth/token`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x', ...auth }, body: '--x--' });
    expect(await multipart.json()).toMatchObject({ error: 'invalid_request' });
    // The resource is compared canonically (scheme and host in any case).
    const shouted = await tokenRequest({ grant_type: 'client_credentials', resource: `${origin.replace('http://', 'HTTP://')}/mcp` }, auth);
    expect(shouted.status).toBe(200);
    expect(shouted.headers.get('pragma')).toBe('no-cache');
  });

  it('registers beside a host app that parses forms itself', async () => {
    const host = Fastify();
    host.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    host.post('/elsewhere', (request) => ({ got: request.body }));
    await registerTokenEndpoint(host, { issuer: origin, resource: `${origin}/mcp`, keys, clients: [{ clientId: 'machine', clientSecret: SECRET, scopes: ['run'] }] });
    const elsewhere = await host.inject({ method: 'POST', url: '/elsewhere', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' });
    expect(elsewhere.json()).toEqual({ got: 'a=1' });
    const token = await host.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic('machine', SECRET) }, payload: `grant_type=client_credentials&resource=${encodeURIComponent(`${origin}/mcp`)}` });
    expect(token.json()).toMatchObject({ token_type: 'Bearer', scope: 'run' });
    await host.close();
  });

  it('publishes the key set, public halves only', async () => {
    const response = await fetch(`${origin}/oauth/jwks`);
    expect(response.headers.get('content-type')).toContain('application/jwk-set+json');
    const { keys: published } = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ kty: 'EC', alg: 'ES256', use: 'sig' });
    expect(published[0]).not.toHaveProperty('d');
  });

  it('refuses clients it could not authenticate safely', async () => {
    const other = Fastify();
    await expect(registerTokenEndpoint(other, { issuer: origin, resource: `${origin}/mcp`, keys, clients: [{ clientId: 'c', clientSecret: 'short', scopes: [] }] })).rejects.toMatchObject({ code: 'OAUTH_SERVER_INVALID_OPTIONS' });
    await expect(registerTokenEndpoint(other, { issuer: 'ftp://x', resource: `${origin}/mcp`, keys, clients: [] })).rejects.toMatchObject({ code: 'OAUTH_SERVER_INVALID_URL' });
    await other.close();
  });
});
