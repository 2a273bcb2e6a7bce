// Client ID metadata documents against a real HTTPS server on 127.0.0.1 with a self-signed
// certificate made here. An injected DNS lookup maps made-up names (client.example) to loopback
// or to addresses that must be refused; the server counts connections, so a refusal "before
// connecting" is checked, not assumed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { isIP, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { clientMetadataDocuments, type ClientMetadataDocumentsOptions } from '../src/clients/client-metadata-documents.js';
import { OAuthServerError } from '../src/errors.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
type Found = readonly { address: string; family: 4 | 6 }[];

const routes = new Map<string, Handler>();
const hits = new Map<string, number>();
const lookups: string[] = [];
let connections = 0;
let lastRequest: IncomingMessage | undefined;
let server: Server;
let port: number;
let cert: string;
let dir: string;
let published = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'client-metadata-documents-'));
  const [keyFile, certFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    '/usr/bin/openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,DNS:client.example,IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  cert = readFileSync(certFile, 'utf8');
  server = createServer({ key: readFileSync(keyFile, 'utf8'), cert }, (request, response) => {
    const path = request.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    lastRequest = request;
    const route = routes.get(path) ?? ((_request: IncomingMessage, res: ServerResponse) => res.writeHead(404).end());
    route(request, response);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  lookups.length = 0;
});

const names: Record<string, Found> = {
  'client.example': [{ address: '127.0.0.1', family: 4 }],
  'other.example': [{ address: '127.0.0.1', family: 4 }],
};
function lookup(hostname: string): Promise<Found> {
  lookups.push(hostname);
  const found = names[hostname];
  return found === undefined ? Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })) : Promise.resolve(found);
}
const resolvingTo = (...addresses: string[]) => (hostname: string) => {
  lookups.push(hostname);
  return Promise.resolve(addresses.map((address) => ({ address, family: isIP(address) as 4 | 6 })));
};
// Reaches the test server: its certificate is trusted and loopback allowed.
const documents = (options: ClientMetadataDocumentsOptions = {}) => clientMetadataDocuments({ ca: cert, allowPrivateAddresses: true, lookup, ...options });

const idOf = (path: string, host = 'client.example') => `https://${host}:${port}${path}`;
const hitsOf = (clientId: string) => hits.get(new URL(clientId).pathname) ?? 0;
const nextPath = () => `/clients/${++published}.json`;

function goodDocument(clientId: string): Record<string, unknown> {
  return {
    client_id: clientId,
    client_name: 'Claude Code',
    redirect_uris: ['http://localhost/callback', 'http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

function serve(path: string, body: string, headers: Record<string, string | number> = {}): void {
  routes.set(path, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
    response.end(body);
  });
}

// A new document at a new path (members set to undefined are left out); returns its client_id.
function publish(overrides: Record<string, unknown> = {}, headers: Record<string, string | number> = {}, host = 'client.example'): string {
  const clientId = idOf(nextPath(), host);
  serve(new URL(clientId).pathname, JSON.stringify({ ...goodDocument(clientId), ...overrides }), headers);
  return clientId;
}

async function refusal(promise: Promise<unknown>): Promise<OAuthServerError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(OAuthServerError.isInstance(error), `expected a refusal, got ${String(error)}`).toBe(true);
  expect((error as OAuthServerError).code).toBe('OAUTH_SERVER_INVALID_CLIENT');
  return error as OAuthServerError;
}

describe('resolving a good document', () => {
  it('maps the fields, connects to the looked-up address with the real host name, and sends Accept: application/json', async () => {
    const clientId = publish({ client_uri: 'https://claude.ai/', logo_uri: 'https://claude.ai/logo.png', unknown_member: { x: 1 } }, { 'content-type': 'application/json; charset=utf-8' });
    const client = await documents().resolve(clientId);
    expect(client).toEqual({
      clientId,
      clientName: 'Claude Code',
      redirectUris: ['http://localhost/callback', 'http://127.0.0.1/callback'],
      applicationType: 'native',
      source: 'metadata-document',
      clientUri: 'https://claude.ai/',
    });
    expect(Object.isFrozen(client)).toBe(true);
    expect(lookups).toEqual(['client.example']);
    // client.example resolves nowhere but through the injected lookup: the connection was pinned.
    expect(lastRequest?.headers.host).toBe(`client.example:${port}`);
    expect(lastRequest?.headers.accept).toBe('application/json');
    expect((lastRequest?.socket as TLSSocket).servername).toBe('client.example');
  });

  it('takes application_type from the document, else native only when every redirect is loopback or a private-use scheme', async () => {
    const resolver = documents();
    const web = await resolver.resolve(publish({ redirect_uris: ['https://app.example/cb', 'http://127.0.0.1/cb'] }));
    expect(web.applicationType).toBe('web');
    const privateUse = await resolver.resolve(publish({ redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback'] }));
    expect(privateUse.applicationType).toBe('native');
    const declared = await resolver.resolve(publish({ application_type: 'web', redirect_uris: ['https://app.example/cb'] }));
    expect(declared.applicationType).toBe('web');
    const minimal = await resolver.resolve(publish({ grant_types: undefined, response_types: undefined, token_endpoint_auth_method: undefined }));
    expect(minimal).not.toHaveProperty('clientUri');
  });

  it('accepts a +json media type and an IP-literal host (no DNS lookup)', async () => {
    const vendor = publish({}, { 'content-type': 'application/client-metadata+json' });
    expect((await documents().resolve(vendor)).clientName).toBe('Claude Code');
    const path = nextPath();
    const literal = idOf(path, '127.0.0.1');
    serve(path, JSON.stringify(goodDocument(literal)));
    expect((await documents().resolve(literal)).clientId).toBe(literal);
    expect(lookups).toEqual(['client.example']);
  });

  it('says which URLs are meant as documents, without I/O', () => {
    const resolver = documents();
    expect(resolver.isDocumentUrl('https://claude.ai/oauth/claude-code-client-metadata')).toBe(true);
    expect(resolver.isDocumentUrl('my-registered-client')).toBe(false);
    expect(resolver.isDocumentUrl('http://claude.ai/client.json')).toBe(false);
    expect(lookups).toEqual([]);
  });
});

describe('TLS', () => {
  it('verifies the certificate for the host name, not for the pinned address', async () => {
    const clientId = publish({}, {}, 'other.example');
    const before = connections;
    const error = await refusal(documents().resolve(clientId));
    expect(error.message).toMatch(/could not be fetched/);
    expect(connections).toBe(before + 1);
    expect(hitsOf(clientId)).toBe(0);
  });

  it('refuses a certificate it was not told to trust', async () => {
    const clientId = publish();
    const error = await refusal(documents({ ca: undefined }).resolve(clientId));
    expect(error.message).toMatch(/could not be fetched/);
    expect(hitsOf(clientId)).toBe(0);
  });
});

describe('refusing the client_id URL before any I/O', () => {
  const long = `https://client.example/${'a'.repeat(2000)}`;
  it.each([
    ['http', 'http://client.example/client.json', /https scheme/],
    ['no path', 'https://client.example', /must have a path/],
    ['only /', 'https://client.example/', /must have a path/],
    ['a fragment', 'https://client.example/client.json#x', /fragment/],
    ['a user name', 'https://user@client.example/client.json', /user name or password/],
    ['a password', 'https://user:secret@client.example/client.json', /user name or password/],
    ['a . segment', 'https://client.example/a/./client.json', /path segments/],
    ['a .. segment', 'https://client.example/a/../client.json', /path segments/],
    ['an encoded .. segment', 'https://client.example/a/%2e%2E/client.json', /path segments/],
    ['a half-encoded .. segment', 'https://client.example/a/.%2e/client.json', /path segments/],
    ['a trailing .. segment', 'https://client.example/a/..', /path segments/],
    ['a query', 'https://client.example/client.json?v=1', /query/],
    ['more than 2000 characters', long, /at most 2000 characters/],
    ['whitespace', 'https://client.example/client .json', /whitespace/],
    ['a backslash', 'https://client.example\\client.json', /backslash/],
    ['not a URL', 'https://', /not an absolute URL/],
    ['an upper-case host', 'https://Client.example/client.json', /normal form/],
    ['the default port', 'https://client.example:443/client.json', /normal form/],
  ])('refuses %s', async (_name, clientId, message) => {
    const before = connections;
    const error = await refusal(documents().resolve(clientId));
    expect(error.message).toMatch(message);
    expect(lookups).toEqual([]);
    expect(connections).toBe(before);
  });

  it('fetches only from allowedHosts when they are given', async () => {
    const clientId = publish();
    const before = connections;
    const error = await refusal(documents({ allowedHosts: ['claude.ai'] }).resolve(clientId));
    expect(error.message).toMatch(/host client\.example is not one this server accepts/);
    expect(lookups).toEqual([]);
    expect(connections).toBe(before);
    expect((await documents({ allowedHosts: ['claude.ai', 'client.example'] }).resolve(clientId)).clientId).toBe(clientId);
  });
});

describe('SSRF: refusing internal addresses before connecting', () => {
  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback, elsewhere in 127/8', '127.254.0.1'],
    ['IPv6 loopback', '::1'],
    ['10/8', '10.1.2.3'],
    ['172.16/12', '172.16.0.1'],
    ['172.16/12, its end', '172.31.255.255'],
    ['192.168/16', '192.168.1.1'],
    ['CGNAT 100.64/10', '100.64.0.1'],
    ['the cloud metadata service', '169.254.169.254'],
    ['unspecified', '0.0.0.0'],
    ['IPv6 unspecified', '::'],
    ['multicast', '224.0.0.1'],
    ['reserved 240/4', '240.0.0.1'],
    ['broadcast', '255.255.255.255'],
    ['unique local fc00::/7', 'fd12:3456::1'],
    ['link-local fe80::/10', 'fe80::1'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['IPv4-mapped private, hex form', '::ffff:a00:1'],
    ['IPv4-translated loopback', '::ffff:0:7f00:1'],
    ['NAT64 of loopback', '64:ff9b::7f00:1'],
    ['NAT64 of 10/8', '64:ff9b::10.0.0.1'],
    ['6to4 of loopback', '2002:7f00:1::1'],
    ['6to4 of the metadata service', '2002:a9fe:a9fe::'],
    ['IPv4-compatible (deprecated)', '::7f00:1'],
  ])('refuses a host that resolves to %s (%s)', async (_name, address) => {
    const clientId = publish();
    const before = connections;
    const error = await refusal(clientMetadataDocuments({ ca: cert, lookup: resolvingTo(address) }).resolve(clientId));
    expect(error.message).toMatch(/documents are only fetched from public addresses/);
    expect(error.message).toContain(address);
    expect(lookups).toEqual(['client.example']);
    expect(connections).toBe(before);
    expect(hitsOf(clientId)).toBe(0);
  });

  it('refuses a name with one public and one private address', async () => {
    const clientId = publish();
    const before = connections;
    const error = await refusal(clientMetadataDocuments({ ca: cert, lookup: resolvingTo('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '10.0.0.7') }).resolve(clientId));
    expect(error.message).toMatch(/10\.0\.0\.7/);
    expect(connections).toBe(before);
  });

  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['[::1]', '::1'],
    ['[::ffff:7f00:1]', '::ffff:7f00:1'],
  ])('refuses the IP literal %s without a lookup', async (host, address) => {
    const clientId = `https://${host}:${port}/client.json`;
    const before = connections;
    const error = await refusal(clientMetadataDocuments({ ca: cert, lookup }).resolve(clientId));
    expect(error.message).toContain(address);
    expect(lookups).toEqual([]);
    expect(connections).toBe(before);
  });

  it('keeps refusing link-local and unspecified addresses even with allowPrivateAddresses', async () => {
    for (const address of ['169.254.169.254', '0.0.0.0', '::ffff:169.254.169.254']) {
      const error = await refusal(documents({ lookup: resolvingTo(address) }).resolve(publish()));
      expect(error.message).toMatch(/reserved address/);
    }
  });

  it('refuses a host that does not resolve, or resolves to nothing', async () => {
    expect((await refusal(documents().resolve('https://nowhere.example/client.json'))).message).toMatch(/did not resolve/);
    expect((await refusal(documents({ lookup: resolvingTo() }).resolve('https://nowhere.example/client.json'))).message).toMatch(/has no address/);
  });
});

describe('refusing what the server answers', () => {
  it.each([301, 302, 303, 307, 308])('refuses a %i redirect and does not follow it', async (status) => {
    const target = publish();
    const path = nextPath();
    routes.set(path, (_request, response) => response.writeHead(status, { location: target }).end());
    const error = await refusal(documents().resolve(idOf(path)));
    expect(error.message).toMatch(new RegExp(`redirected \\(status ${status}\\)`));
    expect(hitsOf(target)).toBe(0);
  });

  it('refuses a status other than 200', async () => {
    const path = nextPath();
    routes.set(path, (_request, response) => response.writeHead(204).end());
    expect((await refusal(documents().resolve(idOf(path)))).message).toMatch(/status 204/);
    expect((await refusal(documents().resolve(idOf(nextPath())))).message).toMatch(/status 404/);
  });

  it('refuses a document larger than maxBytes by its Content-Length, without waiting for the body', async () => {
    const path = nextPath();
    routes.set(path, (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': 100_000 });
      response.write('{');
    });
    const error = await refusal(documents().resolve(idOf(path)));
    expect(error.message).toMatch(/100000 bytes long \(Content-Length\), more than the 5120 accepted/);
  });

  it('refuses a chunked body that grows past maxBytes, and honours a larger maxBytes', async () => {
    const path = nextPath();
    routes.set(path, (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(`{"client_name":"${'x'.repeat(1500)}`);
      for (let i = 0; i < 4; i++) response.write('x'.repeat(1024));
    });
    expect((await refusal(documents().resolve(idOf(path)))).message).toMatch(/longer than the 5120 bytes accepted/);
    const padded = publish({ padding: 'x'.repeat(6000) });
    await refusal(documents().resolve(padded));
    expect((await documents({ maxBytes: 8192 }).resolve(padded)).clientId).toBe(padded);
  });

  it('gives up after timeoutMs when the server never answers', async () => {
    const path = nextPath();
    routes.set(path, () => undefined);
    const started = Date.now();
    const error = await refusal(documents({ timeoutMs: 300 }).resolve(idOf(path)));
    expect(error.message).toMatch(/did not arrive within 300 ms/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('gives up after timeoutMs when the body never ends', async () => {
    const path = nextPath();
    routes.set(path, (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"client_id":');
    });
    expect((await refusal(documents({ timeoutMs: 300 }).resolve(idOf(path)))).message).toMatch(/did not arrive within 300 ms/);
  });

  it.each([
    ['text/html', '<html></html>', /served as "text\/html", not as JSON/],
    ['none', '{}', /served as "", not as JSON/],
    ['application/json', '{"client_id": ', /not valid JSON/],
    ['application/json', '[{"client_id": "x"}]', /not a JSON object/],
    ['application/json', 'null', /not a JSON object/],
    ['application/json', '"https://client.example/"', /not a JSON object/],
  ])('refuses content type %s with body %s', async (type, body, message) => {
    const path = nextPath();
    serve(path, body, type === 'none' ? {} : { 'content-type': type });
    if (type === 'none') {
      routes.set(path, (_request, response) => response.writeHead(200).end(body));
    }
    expect((await refusal(documents().resolve(idOf(path)))).message).toMatch(message);
  });
});

describe('refusing the document', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['another client_id', { client_id: 'https://evil.example/client.json' }, /has client_id "https:\/\/evil\.example\/client\.json"; it must be the URL/],
    ['no client_id', { client_id: undefined }, /has client_id none/],
    ['a client_secret', { client_secret: 'shh' }, /has a client_secret/],
    ['a client_secret_expires_at', { client_secret_expires_at: 0 }, /has a client_secret_expires_at/],
    ['client_secret_basic', { token_endpoint_auth_method: 'client_secret_basic' }, /token_endpoint_auth_method "client_secret_basic"/],
    ['client_secret_post', { token_endpoint_auth_method: 'client_secret_post' }, /token_endpoint_auth_method "client_secret_post"/],
    ['private_key_jwt', { token_endpoint_auth_method: 'private_key_jwt' }, /only "none" is supported/],
    ['a javascript: redirect', { redirect_uris: ['javascript:alert(1)'] }, /redirect_uris: .*javascript: scheme/],
    ['no redirect_uris', { redirect_uris: undefined }, /redirect_uris: must be a list/],
    ['empty redirect_uris', { redirect_uris: [] }, /redirect_uris: must be a list/],
    ['a private-use redirect for a web client', { application_type: 'web', redirect_uris: ['cursor://cb'] }, /only native clients/],
    ['an unknown application_type', { application_type: 'desktop' }, /application_type "desktop"/],
    ['no client_name', { client_name: undefined }, /client_name none/],
    ['a blank client_name', { client_name: '  ' }, /client_name " {2}"/],
    ['a long client_name', { client_name: 'x'.repeat(201) }, /at most 200 characters/],
    ['a bidi override in client_name', { client_name: 'Claude\u202eedoC' }, /without control characters/],
    ['client_credentials', { grant_types: ['client_credentials'] }, /grant_types \["client_credentials"\]/],
    ['refresh_token alone', { grant_types: ['refresh_token'] }, /must include "authorization_code"/],
    ['implicit', { grant_types: ['authorization_code', 'implicit'] }, /may add only "refresh_token"/],
    ['response_types token', { response_types: ['token'] }, /response_types \["token"\]/],
    ['an http client_uri', { client_uri: 'http://claude.ai/' }, /client_uri "http:\/\/claude\.ai\/"; it must be an https URL/],
  ])('refuses %s', async (_name, overrides, message) => {
    expect((await refusal(documents().resolve(publish(overrides)))).message).toMatch(message);
  });

  it('refuses a client_id that differs only by a trailing slash', async () => {
    const path = nextPath();
    const clientId = idOf(path);
    serve(path, JSON.stringify(goodDocument(`${clientId}/`)));
    expect((await refusal(documents().resolve(clientId))).message).toMatch(/it must be the URL it was fetched from, exactly/);
  });
});

describe('the cache', () => {
  const clock = () => {
    const state = { time: 1_000_000 };
    return { state, now: () => state.time };
  };

  it('keeps a document for its max-age, then fetches it again', async () => {
    const { state, now } = clock();
    const resolver = documents({ now });
    const clientId = publish({}, { 'cache-control': 'public, max-age=120' });
    const first = await resolver.resolve(clientId);
    state.time += 119_000;
    expect(await resolver.resolve(clientId)).toBe(first);
    expect(hitsOf(clientId)).toBe(1);
    state.time += 2_000;
    await resolver.resolve(clientId);
    expect(hitsOf(clientId)).toBe(2);
  });

  it.each<[string, string | undefined, number, Record<string, string>?]>([
    ['max-age below minCacheMs', 'max-age=1', 60_000],
    ['max-age above maxCacheMs', 'max-age=999999999', 86_400_000],
    ['no-store', 'no-store', 60_000],
    ['no-cache', 'no-cache, max-age=3600', 60_000],
    ['no header', undefined, 300_000],
    ['max-age less Age', 'max-age=600', 300_000, { age: '300' }],
  ])('clamps the lifetime: %s', async (_name, cacheControl, lifetimeMs, extra = {}) => {
    const { state, now } = clock();
    const resolver = documents({ now });
    const clientId = publish({}, { ...(cacheControl === undefined ? {} : { 'cache-control': cacheControl }), ...extra });
    await resolver.resolve(clientId);
    state.time += lifetimeMs - 1;
    await resolver.resolve(clientId);
    expect(hitsOf(clientId)).toBe(1);
    state.time += 2;
    await resolver.resolve(clientId);
    expect(hitsOf(clientId)).toBe(2);
  });

  it('remembers a failure for 10 seconds only, so a fixed document is soon accepted', async () => {
    const { state, now } = clock();
    const resolver = documents({ now });
    const path = nextPath();
    const clientId = idOf(path);
    routes.set(path, (_request, response) => response.writeHead(500).end());
    const first = await refusal(resolver.resolve(clientId));
    state.time += 9_999;
    expect(await refusal(resolver.resolve(clientId))).toBe(first);
    expect(hitsOf(clientId)).toBe(1);
    serve(path, JSON.stringify(goodDocument(clientId)));
    state.time += 2;
    expect((await resolver.resolve(clientId)).clientId).toBe(clientId);
    expect(hitsOf(clientId)).toBe(2);
  });

  it('shares one fetch between concurrent resolves of one client_id', async () => {
    const path = nextPath();
    const clientId = idOf(path);
    const body = JSON.stringify(goodDocument(clientId));
    routes.set(path, (_request, response) => {
      setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end(body), 50);
    });
    const resolver = documents();
    const clients = await Promise.all(Array.from({ length: 5 }, () => resolver.resolve(clientId)));
    expect(new Set(clients).size).toBe(1);
    expect(hitsOf(clientId)).toBe(1);
  });

  it('holds at most maxEntries, evicting the oldest', async () => {
    const resolver = documents({ maxEntries: 2 });
    const [a, b, c] = [publish(), publish(), publish()];
    for (const clientId of [a, b, c]) await resolver.resolve(clientId);
    await resolver.resolve(c);
    await resolver.resolve(a);
    expect([hitsOf(a), hitsOf(b), hitsOf(c)]).toEqual([2, 1, 1]);
  });
});

describe('options', () => {
  it.each<[string, Record<string, unknown>]>([
    ['timeoutMs', { timeoutMs: 50 }],
    ['timeoutMs', { timeoutMs: 1.5 }],
    ['maxBytes', { maxBytes: 100 }],
    ['maxBytes', { maxBytes: 100_000 }],
    ['minCacheMs', { minCacheMs: 10_000, maxCacheMs: 5_000 }],
    ['maxEntries', { maxEntries: 0 }],
    ['allowedHosts', { allowedHosts: [] }],
    ['allowedHosts', { allowedHosts: ['Client.Example'] }],
    ['allowedHosts', { allowedHosts: ['client.example:443'] }],
    ['allowPrivateAddresses', { allowPrivateAddresses: 'yes' }],
    ['ca', { ca: 'not a certificate' }],
    ['now', { now: 5 }],
    ['lookup', { lookup: 'dns' }],
  ])('refuses a bad %s', (name, options) => {
    let error: unknown;
    try {
      clientMetadataDocuments(options);
    } catch (caught) {
      error = caught;
    }
    expect(OAuthServerError.isInstance(error)).toBe(true);
    expect((error as OAuthServerError).code).toBe('OAUTH_SERVER_INVALID_OPTIONS');
    expect((error as OAuthServerError).message).toContain(name);
  });

  it('copies its options: changing the caller’s list later changes nothing', async () => {
    const allowedHosts = ['claude.ai'];
    const resolver = documents({ allowedHosts });
    allowedHosts.push('client.example');
    await refusal(resolver.resolve(publish()));
    expect(lookups).toEqual([]);
  });
});
