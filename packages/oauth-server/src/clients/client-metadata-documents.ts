// Client ID metadata documents (draft-ietf-oauth-client-id-metadata-document-00, as MCP 2025-11-25
// and 2026-07-28 use them): a client_id that is an https URL names a JSON document that describes
// the client. The document is fetched from an address checked before connecting (SSRF), with the
// connection pinned to that address (DNS rebinding), then checked strictly and cached.
import { lookup as systemLookup } from 'node:dns/promises';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';

import { checkedAddresses, NetGuardError, pinnedLookup, type CheckedAddress } from '@claude-code-mcp/net-guard';
import * as z from 'zod';

import { OAuthServerError } from '../errors.js';
import type { OAuthClient } from './oauth-client.js';
import { checkRedirectUris } from './redirect-uris.js';

/**
 * Options of {@link clientMetadataDocuments}. Every one is optional; the defaults suit a public
 * authorization server.
 *
 * @example
 * ```ts
 * const options: ClientMetadataDocumentsOptions = { allowedHosts: ['claude.ai'], timeoutMs: 3_000 };
 * ```
 */
export interface ClientMetadataDocumentsOptions {
  /** When given, only documents on these host names are fetched (exact, lower-case, punycode for IDNs). */
  readonly allowedHosts?: readonly string[];
  /**
   * Allow documents on loopback and private addresses (tests, a company network): 127/8, ::1,
   * 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7. Link-local (the cloud metadata service),
   * unspecified, multicast and reserved addresses stay refused. Default false.
   */
  readonly allowPrivateAddresses?: boolean;
  /** The whole fetch (DNS, connect, headers, body), in milliseconds: 100 to 30000. Default 5000. */
  readonly timeoutMs?: number;
  /** The largest document accepted, in bytes: 512 to 65536. Default 5120 (5 KiB). */
  readonly maxBytes?: number;
  /** A document is kept at least this long, whatever its `Cache-Control` says. Default 60000. */
  readonly minCacheMs?: number;
  /** A document is kept at most this long. Default 86400000 (a day). */
  readonly maxCacheMs?: number;
  /** How many client_ids are cached; the oldest is evicted first. Default 1000. */
  readonly maxEntries?: number;
  /** Extra CA certificates (PEM) to trust besides Node's roots, e.g. a test's self-signed one. */
  readonly ca?: string | readonly string[];
  readonly now?: () => number;
  /** DNS lookup, injectable for tests; default node:dns/promises lookup with { all: true, verbatim: true }. */
  readonly lookup?: (hostname: string) => Promise<readonly { address: string; family: 4 | 6 }[]>;
}

/**
 * Client ID metadata documents, fetched and cached. A document is cached for its `Cache-Control`
 * `max-age` (less its `Age`), clamped to `minCacheMs`…`maxCacheMs`; `no-store` or `no-cache`
 * count as `minCacheMs`, and a response without `max-age` as 5 minutes (clamped). `s-maxage` and
 * `Expires` are ignored. A failure is remembered for 10 seconds (or `minCacheMs`, if shorter).
 *
 * @example
 * ```ts
 * const documents = clientMetadataDocuments();
 * if (documents.isDocumentUrl(clientId)) {
 *   const client = await documents.resolve(clientId); // OAuthServerError OAUTH_SERVER_INVALID_CLIENT when unusable
 *   showConsent(client.clientName, client.redirectUris);
 * }
 * ```
 */
export interface ClientMetadataDocuments {
  /** Whether a client_id is meant as a metadata document URL (https scheme) — cheap, no I/O. */
  isDocumentUrl(clientId: string): boolean;
  /** Fetches (or takes from the cache) and validates the document. */
  resolve(clientId: string): Promise<OAuthClient>;
}


const MAX_URL_LENGTH = 2000;
const MAX_NAME_LENGTH = 200;
const DEFAULT_CACHE_MS = 5 * 60_000;
// Long enough that a flood of requests naming a broken or slow document costs one fetch per 10 s,
// short enough that a client that fixes its document is not locked out for long.
const FAILURE_CACHE_MS = 10_000;
const DAY_MS = 86_400_000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
const GRANT_TYPES = new Set(['authorization_code', 'refresh_token']);
// Lower-case DNS names (punycode for IDNs) and IPv4 literals, as URL#hostname gives them.
const HOST_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const PEM = /-----BEGIN CERTIFICATE-----/;

const isFunction = (value: unknown) => typeof value === 'function';

const optionsSchema = z
  .object({
    allowedHosts: z.array(z.string().regex(HOST_NAME, 'must be a lower-case host name')).min(1).optional(),
    allowPrivateAddresses: z.boolean().default(false),
    timeoutMs: z.number().int().min(100).max(30_000).default(5_000),
    maxBytes: z.number().int().min(512).max(65_536).default(5_120),
    minCacheMs: z.number().int().min(0).max(DAY_MS).default(60_000),
    maxCacheMs: z.number().int().min(1_000).max(30 * DAY_MS).default(DAY_MS),
    maxEntries: z.number().int().min(1).max(1_000_000).default(1_000),
    ca: z.union([z.string().regex(PEM, 'must be PEM certificates'), z.array(z.string().regex(PEM, 'must be PEM certificates')).min(1)]).optional(),
    now: z.custom<() => number>(isFunction, 'must be a function').optional(),
    lookup: z.custom<NonNullable<ClientMetadataDocumentsOptions['lookup']>>(isFunction, 'must be a function').optional(),
  })
  .refine((options) => options.minCacheMs <= options.maxCacheMs, { message: 'minCacheMs must not be more than maxCacheMs', path: ['minCacheMs'] });

type Settings = Readonly<Omit<z.infer<typeof optionsSchema>, 'allowedHosts' | 'ca' | 'now' | 'lookup'>> & {
  readonly allowedHosts: ReadonlySet<string> | undefined;
  readonly ca: readonly string[] | undefined;
  readonly now: () => number;
  readonly lookup: NonNullable<ClientMetadataDocumentsOptions['lookup']>;
};

async function defaultLookup(hostname: string): Promise<readonly CheckedAddress[]> {
  const found = await systemLookup(hostname, { all: true, verbatim: true });
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
}

function settingsOf(options: ClientMetadataDocumentsOptions): Settings {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', `Invalid client metadata document options:\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  const { allowedHosts, ca, now, lookup, ...rest } = parsed.data;
  return Object.freeze({
    ...rest,
    // Copies: a caller that changes its arrays later does not change this policy.
    allowedHosts: allowedHosts === undefined ? undefined : new Set(allowedHosts),
    // `ca` replaces Node's roots, so the extra certificates are added to them.
    ca: ca === undefined ? undefined : Object.freeze([...rootCertificates, ...[ca].flat()]),
    now: now ?? Date.now,
    lookup: lookup ?? defaultLookup,
  });
}

// ---- Messages -----------------------------------------------------------------------------------

function describe(value: unknown): string {
  if (value === undefined) return 'none';
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > MAX_NAME_LENGTH ? `${text.slice(0, MAX_NAME_LENGTH)}…` : text;
}

function badUrl(clientId: string, problem: string): OAuthServerError {
  return new OAuthServerError('OAUTH_SERVER_INVALID_CLIENT', `The client_id ${describe(clientId)} is not a usable metadata document URL: ${problem}`);
}

function refuse(clientId: string, problem: string, cause?: unknown): OAuthServerError {
  return new OAuthServerError('OAUTH_SERVER_INVALID_CLIENT', `The client metadata document ${describe(clientId)} ${problem}`, cause === undefined ? undefined : { cause });
}

// ---- The client_id URL (draft §3) -----------------------------------------------------------------

function checkUrlShape(clientId: string, url: URL): void {
  if (url.protocol !== 'https:') throw badUrl(clientId, 'it must use the https scheme.');
  if (url.username !== '' || url.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(clientId)) throw badUrl(clientId, 'it must not have a user name or password.');
  if (clientId.includes('#')) throw badUrl(clientId, 'it must not have a fragment.');
  if (clientId.includes('?')) throw badUrl(clientId, 'it must not have a query (the draft says SHOULD NOT; this server refuses one).');
  // Dot segments, also percent-encoded, as written: WHATWG URL would quietly resolve them away.
  if (/\/(?:\.|%2e){1,2}(?=\/|$)/i.test(clientId.slice('https://'.length))) throw badUrl(clientId, 'it must not have "." or ".." path segments.');
  if (url.pathname === '/') throw badUrl(clientId, 'it must have a path, such as /oauth/client.json.');
}

function checkDocumentUrl(clientId: string, allowedHosts: ReadonlySet<string> | undefined): URL {
  if (typeof clientId !== 'string' || clientId.length > MAX_URL_LENGTH) throw badUrl(String(clientId).slice(0, MAX_URL_LENGTH), `it must be a string of at most ${MAX_URL_LENGTH} characters.`);
  if (/[\s\p{Cc}\\]/u.test(clientId)) throw badUrl(clientId, 'it contains whitespace, control characters or a backslash.');
  if (!URL.canParse(clientId)) throw badUrl(clientId, 'it is not an absolute URL.');
  const url = new URL(clientId);
  checkUrlShape(clientId, url);
  // One spelling per document: what is fetched, compared and cached is the string the client sent.
  if (url.href !== clientId) throw badUrl(clientId, `it is not in normal form; use ${describe(url.href)}.`);
  if (allowedHosts !== undefined && !allowedHosts.has(url.hostname)) throw badUrl(clientId, `its host ${url.hostname} is not one this server accepts documents from.`);
  return url;
}

// ---- Addresses (SSRF) ---------------------------------------------------------------------------

// Every address is judged (net-guard), not only the first: the connection may use any of them.
async function checkedAddressesOf(clientId: string, host: string, settings: Settings, signal: AbortSignal): Promise<readonly CheckedAddress[]> {
  try {
    return await checkedAddresses(host, { allowPrivateAddresses: settings.allowPrivateAddresses, lookup: settings.lookup, signal });
  } catch (error) {
    if (!NetGuardError.isInstance(error)) throw error;
    switch (error.code) {
      case 'NET_GUARD_UNRESOLVED':
        throw refuse(clientId, `could not be fetched: its host ${host} did not resolve.`, error.cause);
      case 'NET_GUARD_NO_ADDRESS':
        throw refuse(clientId, `could not be fetched: its host ${host} has no address.`);
      case 'NET_GUARD_NOT_AN_ADDRESS':
        throw refuse(clientId, `could not be fetched: its host ${host} resolved to ${describe(error.address)}, which is not an IP address.`);
      case 'NET_GUARD_BLOCKED':
        throw refuse(clientId, `was not fetched: its host ${host} has the ${error.kind === 'private' ? 'loopback or private' : 'reserved'} address ${error.address ?? ''}, and documents are only fetched from public addresses.`);
    }
  }
}

// ---- Fetching -----------------------------------------------------------------------------------

// The connection goes to the addresses that were checked, never to a second DNS answer.
function get(url: URL, host: string, addresses: readonly CheckedAddress[], settings: Settings, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method: 'GET',
        host,
        port: url.port === '' ? 443 : Number(url.port),
        path: url.pathname,
        // Host and SNI name the real host, so the certificate is verified for the name.
        headers: { host: url.host, accept: 'application/json' },
        ...(isIP(host) === 0 ? { servername: host } : {}),
        ...(settings.ca === undefined ? {} : { ca: [...settings.ca] }),
        lookup: pinnedLookup(addresses),
        agent: false,
        signal,
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

function checkResponse(clientId: string, response: IncomingMessage, maxBytes: number): void {
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400) throw refuse(clientId, `redirected (status ${status}); a document must be served from its URL itself, and redirects are not followed.`);
  if (status !== 200) throw refuse(clientId, `could not be fetched: the server answered with status ${status}.`);
  const type = (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!/^application\/(?:[a-z0-9!#$&^_.-]+\+)?json$/.test(type)) throw refuse(clientId, `is served as ${describe(type)}, not as JSON (application/json).`);
  const length = Number(response.headers['content-length']);
  if (length > maxBytes) throw refuse(clientId, `is ${length} bytes long (Content-Length), more than the ${maxBytes} accepted.`);
}

function readBody(clientId: string, response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > maxBytes) {
        reject(refuse(clientId, `is longer than the ${maxBytes} bytes accepted.`));
        response.destroy();
      }
    });
    response.on('end', () => resolve(Buffer.concat(chunks)));
    response.on('error', reject);
    response.on('close', () => reject(new Error('the connection closed before the document was complete')));
  });
}

function parseDocument(clientId: string, body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (error) {
    throw refuse(clientId, 'is not valid JSON.', error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw refuse(clientId, 'is not a JSON object.');
  return value as Record<string, unknown>;
}

async function fetchDocument(clientId: string, url: URL, settings: Settings): Promise<{ document: Record<string, unknown>; headers: IncomingHttpHeaders }> {
  const signal = AbortSignal.timeout(settings.timeoutMs);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  try {
    const addresses = await checkedAddressesOf(clientId, host, settings, signal);
    const response = await get(url, host, addresses, settings, signal);
    try {
      checkResponse(clientId, response, settings.maxBytes);
      return { document: parseDocument(clientId, await readBody(clientId, response, settings.maxBytes)), headers: response.headers };
    } finally {
      response.destroy();
    }
  } catch (error) {
    if (OAuthServerError.isInstance(error)) throw error;
    if (signal.aborted) throw refuse(clientId, `did not arrive within ${settings.timeoutMs} ms.`, error);
    throw refuse(clientId, `could not be fetched: ${error instanceof Error ? error.message : String(error)}.`, error);
  }
}

// ---- The document (draft §4, MCP) -----------------------------------------------------------------

// A document is public: its client can prove nothing with a secret, only with PKCE.
function checkPublicClient(clientId: string, document: Record<string, unknown>): void {
  for (const member of ['client_secret', 'client_secret_expires_at']) {
    if (Object.hasOwn(document, member)) throw refuse(clientId, `has a ${member}; a metadata document is public, so its client cannot hold a secret.`);
  }
  const method = document['token_endpoint_auth_method'];
  if (method !== undefined && method !== 'none') throw refuse(clientId, `has token_endpoint_auth_method ${describe(method)}; only "none" is supported (the client proves itself with PKCE).`);
}

function checkGrants(clientId: string, document: Record<string, unknown>): void {
  const grants = document['grant_types'];
  const grantsOk = Array.isArray(grants) && grants.includes('authorization_code') && grants.every((grant) => typeof grant === 'string' && GRANT_TYPES.has(grant));
  if (grants !== undefined && !grantsOk) throw refuse(clientId, `has grant_types ${describe(grants)}; they must include "authorization_code" and may add only "refresh_token".`);
  const responses = document['response_types'];
  const responsesOk = Array.isArray(responses) && responses.length === 1 && responses[0] === 'code';
  if (responses !== undefined && !responsesOk) throw refuse(clientId, `has response_types ${describe(responses)}; it must be ["code"] or absent.`);
}

function clientNameOf(clientId: string, document: Record<string, unknown>): string {
  const name = document['client_name'];
  // Control and bidirectional-override characters could disguise the name on the consent page.
  const ok = typeof name === 'string' && name.trim() !== '' && name.length <= MAX_NAME_LENGTH && !/[\p{Cc}\p{Bidi_Control}]/u.test(name);
  if (!ok) throw refuse(clientId, `has client_name ${describe(name)}; it needs a non-empty string of at most ${MAX_NAME_LENGTH} characters, without control characters.`);
  return name;
}

function clientUriOf(clientId: string, document: Record<string, unknown>): string | undefined {
  const uri = document['client_uri'];
  if (uri === undefined) return undefined;
  const ok = typeof uri === 'string' && uri.length <= MAX_URL_LENGTH && !/[\s\p{Cc}]/u.test(uri) && URL.canParse(uri) && new URL(uri).protocol === 'https:';
  if (!ok) throw refuse(clientId, `has client_uri ${describe(uri)}; it must be an https URL.`);
  return uri;
}

// A native app's redirect: loopback http (RFC 8252 §7.3) or a private-use scheme (§7.1).
function isNativeRedirect(uri: unknown): boolean {
  if (typeof uri !== 'string' || !URL.canParse(uri)) return false;
  const { protocol, hostname } = new URL(uri);
  return protocol === 'http:' ? LOOPBACK_HOSTS.has(hostname) : protocol !== 'https:';
}

function applicationTypeOf(clientId: string, document: Record<string, unknown>): 'native' | 'web' {
  const declared = document['application_type'];
  if (declared === 'native' || declared === 'web') return declared;
  if (declared !== undefined) throw refuse(clientId, `has application_type ${describe(declared)}; it must be "native", "web" or absent.`);
  const uris = document['redirect_uris'];
  return Array.isArray(uris) && uris.every(isNativeRedirect) ? 'native' : 'web';
}

function redirectUrisOf(clientId: string, document: Record<string, unknown>, applicationType: 'native' | 'web'): readonly string[] {
  try {
    return checkRedirectUris(document['redirect_uris'], applicationType);
  } catch (error) {
    if (!OAuthServerError.isInstance(error)) throw error;
    throw refuse(clientId, `is not valid: ${error.message}`, error);
  }
}

function clientFromDocument(clientId: string, document: Record<string, unknown>): OAuthClient {
  if (document['client_id'] !== clientId) throw refuse(clientId, `has client_id ${describe(document['client_id'])}; it must be the URL it was fetched from, exactly.`);
  checkPublicClient(clientId, document);
  checkGrants(clientId, document);
  const clientName = clientNameOf(clientId, document);
  const clientUri = clientUriOf(clientId, document);
  const applicationType = applicationTypeOf(clientId, document);
  const redirectUris = redirectUrisOf(clientId, document, applicationType);
  return Object.freeze({ clientId, clientName, redirectUris, applicationType, source: 'metadata-document', ...(clientUri === undefined ? {} : { clientUri }) });
}

// ---- Cache (RFC 9111 freshness, clamped) -----------------------------------------------------------

function cacheLifetimeMs(headers: IncomingHttpHeaders, settings: Settings): number {
  const directives = (headers['cache-control'] ?? '').toLowerCase().split(',').map((directive) => directive.trim());
  if (directives.includes('no-store') || directives.includes('no-cache')) return settings.minCacheMs;
  // The first max-age counts (RFC 9111 §4.2.1); the time it already spent in caches does not.
  const maxAge = directives.map((directive) => /^max-age="?(\d+)"?$/.exec(directive)?.[1]).find((seconds) => seconds !== undefined);
  const age = /^\d+$/.test(headers.age ?? '') ? Number(headers.age) : 0;
  const lifetime = maxAge === undefined ? DEFAULT_CACHE_MS : Math.max(0, Number(maxAge) - age) * 1000;
  return Math.min(settings.maxCacheMs, Math.max(settings.minCacheMs, lifetime));
}

interface CacheEntry {
  readonly client: Promise<OAuthClient>;
  expiresAt: number;
}

class MetadataDocumentCache implements ClientMetadataDocuments {
  readonly #settings: Settings;
  readonly #entries = new Map<string, CacheEntry>();

  constructor(settings: Settings) {
    this.#settings = settings;
  }

  isDocumentUrl(clientId: string): boolean {
    return typeof clientId === 'string' && /^https:\/\//i.test(clientId);
  }

  // The URL is checked before the cache: a refused URL costs no I/O and takes no cache entry.
  async resolve(clientId: string): Promise<OAuthClient> {
    const url = checkDocumentUrl(clientId, this.#settings.allowedHosts);
    return this.#entry(clientId, url).client;
  }

  // Synchronous up to the fetch, so concurrent resolves of one client_id share one entry.
  #entry(clientId: string, url: URL): CacheEntry {
    const cached = this.#entries.get(clientId);
    if (cached !== undefined && cached.expiresAt > this.#settings.now()) return cached;
    this.#entries.delete(clientId);
    const loading = this.#load(clientId, url);
    const entry: CacheEntry = { client: loading.then(({ client }) => client), expiresAt: Number.POSITIVE_INFINITY };
    void loading.then(
      ({ lifetimeMs }) => {
        entry.expiresAt = this.#settings.now() + lifetimeMs;
      },
      () => {
        entry.expiresAt = this.#settings.now() + Math.min(FAILURE_CACHE_MS, this.#settings.minCacheMs);
      },
    );
    this.#entries.set(clientId, entry);
    if (this.#entries.size > this.#settings.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    return entry;
  }

  async #load(clientId: string, url: URL): Promise<{ client: OAuthClient; lifetimeMs: number }> {
    const { document, headers } = await fetchDocument(clientId, url, this.#settings);
    return { client: clientFromDocument(clientId, document), lifetimeMs: cacheLifetimeMs(headers, this.#settings) };
  }
}

/**
 * Resolves URL-form client_ids to their client ID metadata documents: checks the URL (https, a
 * path, no query, fragment, credentials or dot segments), refuses hosts that resolve to loopback,
 * private or reserved addresses before connecting and connects only to the address it checked,
 * fetches without redirects within `timeoutMs` and `maxBytes`, checks the document (its
 * `client_id` is the URL exactly, a `client_name`, valid `redirect_uris`, no secret), and caches it.
 * An absent `application_type` is `native` when every redirect URI is loopback `http` or a
 * private-use scheme, else `web`.
 *
 * @throws {@link OAuthServerError} `OAUTH_SERVER_INVALID_OPTIONS` for bad options; `resolve`
 * rejects with `OAUTH_SERVER_INVALID_CLIENT`, saying what was wrong.
 * @example
 * ```ts
 * const documents = clientMetadataDocuments({ timeoutMs: 3_000 });
 * const client = await documents.resolve('https://claude.ai/oauth/claude-code-client-metadata');
 * // { clientId, clientName, redirectUris, applicationType: 'native', source: 'metadata-document' }
 * ```
 */
export function clientMetadataDocuments(options: ClientMetadataDocumentsOptions = {}): ClientMetadataDocuments {
  return new MetadataDocumentCache(settingsOf(options));
}
