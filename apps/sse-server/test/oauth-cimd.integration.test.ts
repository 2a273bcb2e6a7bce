// OAuth Client ID Metadata Documents end to end, with the built server (OAUTH_ENABLED=true): the
// client's client_id is the https URL of a JSON document served here on loopback with a
// self-signed certificate the server trusts through NODE_EXTRA_CA_CERTS. oauth4webapi is the
// client, with no registration step; the SDK v2 client calls /mcp with the token. The document
// server counts requests and connections, so "cached" and "refused before connecting" are checked.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createServerFixture, type RunningServer, type ServerFixture } from './helpers.js';
import { signIn, startOAuthServer } from './oauth-helpers.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
// The document lists the port-less loopback URI; a native app picks its port (RFC 8252 §7.3).
const REDIRECT = 'http://127.0.0.1:43124/callback';
const info = { name: 'cimd-test', version: '1.0.0' };

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const routes = new Map<string, Handler>();
const hits = new Map<string, number>();
let connections = 0;
let documents: Server;
let dir: string;
let certFile: string;
let docPort: number;

const urlOf = (path: string) => `https://localhost:${docPort}${path}`;
const hitsOf = (path: string) => hits.get(path) ?? 0;
const totalHits = () => [...hits.values()].reduce((sum, count) => sum + count, 0);

function serveDocument(path: string, document: Record<string, unknown>): string {
  const body = JSON.stringify(document);
  routes.set(path, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'max-age=300' });
    response.end(body);
  });
  return urlOf(path);
}

function goodDocument(clientId: string): Record<string, unknown> {
  return {
    client_id: clientId,
    client_name: 'CIMD Test Client',
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oauth-cimd-'));
  const keyFile = join(dir, 'key.pem');
  certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  documents = createServer({ key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') }, (request, response) => {
    const path = request.url ?? '';
    hits.set(path, hitsOf(path) + 1);
    const route = routes.get(path) ?? ((_request: IncomingMessage, res: ServerResponse) => res.writeHead(404).end());
    route(request, response);
  });
  documents.on('connection', () => connections++);
  await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
  docPort = (documents.address() as AddressInfo).port;
});
afterAll(async () => {
  documents.closeAllConnections();
  await new Promise((resolve) => documents.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** A fixture and a server for one describe block. */
function oauthServer(extra: () => Record<string, string>) {
  const state: { fixture?: ServerFixture; server?: RunningServer & { resource: string } } = {};
  beforeAll(async () => {
    state.fixture = await createServerFixture();
    state.server = await startOAuthServer(state.fixture, extra());
  });
  afterAll(async () => {
    await state.server?.stop();
    await state.fixture?.dispose();
  });
  return () => state.server!;
}

async function pkce() {
  const verifier = oauth.generateRandomCodeVerifier();
  return { verifier, challenge: await oauth.calculatePKCECodeChallenge(verifier) };
}

function authorizeUrl(origin: string, params: Record<string, string>): URL {
  const url = new URL(`${origin}/oauth/authorize`);
  for (const [name, value] of Object.entries({ response_type: 'code', code_challenge_method: 'S256', resource: `${origin}/mcp`, ...params })) url.searchParams.set(name, value);
  return url;
}

/** The authorize endpoint's answer to a request that must not go on: a page, never a redirect. */
async function refusalPage(url: URL): Promise<string> {
  const response = await fetch(url, { redirect: 'manual' });
  const html = await response.text();
  expect(response.status, html.slice(0, 500)).toBe(400);
  expect(response.headers.get('location')).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(html).toContain('This authorization cannot go on');
  return html.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&');
}

describe('a client metadata document client, with OAUTH_CIMD_ALLOW_PRIVATE_ADDRESSES=true', () => {
  const server = oauthServer(() => ({ OAUTH_CIMD_ALLOW_PRIVATE_ADDRESSES: 'true', NODE_EXTRA_CA_CERTS: certFile }));

  it('discovery → authorize with the document URL (no registration) → sign-in → tokens → /mcp tools/list → refresh; the document is fetched once', async () => {
    const { origin, resource } = server();
    const docUrl = serveDocument('/oauth/client.json', goodDocument(urlOf('/oauth/client.json')));
    const issuer = new URL(origin);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    expect(as).toMatchObject({ issuer: origin, client_id_metadata_document_supported: true, code_challenge_methods_supported: ['S256'] });
    const client: oauth.Client = { client_id: docUrl };

    // The consent page, as a browser shows it: the document's name and where the code goes.
    const first = await pkce();
    const page = await fetch(authorizeUrl(origin, { client_id: docUrl, redirect_uri: REDIRECT, code_challenge: first.challenge, state: 'peek' }), { redirect: 'manual' });
    const html = await page.text();
    expect(page.status, html.slice(0, 500)).toBe(200);
    expect(html).toContain('<h1>CIMD Test Client wants to use Claude Code MCP</h1>');
    expect(html).toContain(`<small>${docUrl}</small>`);
    expect(html).toContain('<dt>Sends you back to</dt><dd>127.0.0.1:43124</dd>');
    expect(hitsOf('/oauth/client.json')).toBe(1);

    const authorize = authorizeUrl(origin, { client_id: docUrl, redirect_uri: REDIRECT, code_challenge: first.challenge, state: 's1', scope: 'read run offline_access' });
    const location = await signIn(authorize);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('iss')).toBe(origin);
    const callback = oauth.validateAuthResponse(as, client, location, 's1');
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback, REDIRECT, first.verifier, { additionalParameters: { resource }, ...insecure }));
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope?.split(' ').sort()).toEqual(['offline_access', 'read', 'run']);
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const mcp = new Client(info);
    await mcp.connect(new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: { authorization: `Bearer ${tokens.access_token}` } } }));
    expect((await mcp.listTools()).tools).toHaveLength(9);
    await mcp.close();

    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, { additionalParameters: { resource }, ...insecure }));
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    const again = new Client(info);
    await again.connect(new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: { authorization: `Bearer ${refreshed.access_token}` } } }));
    expect((await again.listTools()).tools).toHaveLength(9);
    await again.close();

    // A second authorization of the same client, on another loopback port: still the cached document.
    const second = await pkce();
    const otherRedirect = 'http://127.0.0.1:43125/callback';
    const secondCallback = oauth.validateAuthResponse(as, client, await signIn(authorizeUrl(origin, { client_id: docUrl, redirect_uri: otherRedirect, code_challenge: second.challenge, state: 's2' })), 's2');
    const secondTokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), secondCallback, otherRedirect, second.verifier, { additionalParameters: { resource }, ...insecure }));
    expect(secondTokens.access_token).toEqual(expect.any(String));
    expect(hitsOf('/oauth/client.json')).toBe(1);
  });

  it('refuses a document whose client_id is not its URL, on a page and without a redirect', async () => {
    const { origin } = server();
    const docUrl = serveDocument('/oauth/mismatch.json', goodDocument(urlOf('/oauth/client.json')));
    const { challenge } = await pkce();
    const html = await refusalPage(authorizeUrl(origin, { client_id: docUrl, redirect_uri: REDIRECT, code_challenge: challenge, state: 'x' }));
    expect(html).toContain(`The application cannot be used: The client metadata document "${docUrl}" has client_id "${urlOf('/oauth/client.json')}"; it must be the URL it was fetched from, exactly.`);
    expect(hitsOf('/oauth/mismatch.json')).toBe(1);
  });

  it('refuses a redirect_uri the document does not list, on a page and without a redirect', async () => {
    const { origin } = server();
    const docUrl = serveDocument('/oauth/redirects.json', goodDocument(urlOf('/oauth/redirects.json')));
    const { challenge } = await pkce();
    for (const redirect of ['http://127.0.0.1:43124/elsewhere', 'https://attacker.example/callback', 'http://localhost:43124/callback']) {
      const html = await refusalPage(authorizeUrl(origin, { client_id: docUrl, redirect_uri: redirect, code_challenge: challenge, state: 'x' }));
      expect(html).toContain('The redirect_uri is not one the application registered, so this server will not send you there.');
    }
    expect(hitsOf('/oauth/redirects.json')).toBe(1);
  });
});

describe('a client metadata document on loopback, without OAUTH_CIMD_ALLOW_PRIVATE_ADDRESSES', () => {
  const server = oauthServer(() => ({ NODE_EXTRA_CA_CERTS: certFile }));

  it('is refused before connecting, and the page says why', async () => {
    const { origin } = server();
    const docUrl = serveDocument('/oauth/private.json', goodDocument(urlOf('/oauth/private.json')));
    const [hitsBefore, connectionsBefore] = [totalHits(), connections];
    const { challenge } = await pkce();
    const html = await refusalPage(authorizeUrl(origin, { client_id: docUrl, redirect_uri: REDIRECT, code_challenge: challenge, state: 'x' }));
    expect(html).toContain(`The client metadata document "${docUrl}" was not fetched: its host localhost has the loopback or private address 127.0.0.1, and documents are only fetched from public addresses.`);
    expect(totalHits()).toBe(hitsBefore);
    expect(connections).toBe(connectionsBefore);
  });
});
