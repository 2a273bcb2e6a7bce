// A real authorization server on 127.0.0.1 for the tests, and a person driving its page over
// HTTP: open the authorize URL, read the form, send it back with a decision.
import Fastify, { type FastifyInstance } from 'fastify';

import { createMemoryAuthorizationStore, ensureAdminUser, registerAuthorizationServer, type AuthorizationServer, type AuthorizationServerOptions, type AuthorizationStore } from '../src/index.js';

export const ADMIN_PASSWORD = 'correct horse battery staple';
export const SCOPES = [
  { name: 'read', description: 'See sessions, tasks and logs' },
  { name: 'run', description: 'Run Claude Code' },
  { name: 'admin', description: 'Install plugins' },
  { name: 'offline_access', description: 'Stay signed in' },
];

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly origin: string;
  readonly resource: string;
  readonly store: AuthorizationStore;
  readonly server: AuthorizationServer;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const probe = Fastify();
  await probe.listen({ host: '127.0.0.1', port: 0 });
  const address = probe.server.address();
  await probe.close();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** Starts the authorization server (the issuer must be known before the routes are: a free port first). */
export async function startServer(overrides: Partial<AuthorizationServerOptions> = {}, port?: number): Promise<RunningServer> {
  port ??= await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const store = overrides.store ?? createMemoryAuthorizationStore();
  await ensureAdminUser(store, { password: ADMIN_PASSWORD });
  const app = Fastify();
  const server = await registerAuthorizationServer(app, { issuer: origin, resource: `${origin}/mcp`, store, scopes: SCOPES, defaultScopes: ['read', 'run'], requestsPerMinute: false, ...overrides });
  await app.listen({ host: '127.0.0.1', port });
  return { app, origin, resource: `${origin}/mcp`, store, server, close: () => app.close() };
}

/** What the authorize endpoint answered a person. */
export interface PageVisit {
  readonly status: number;
  readonly html: string;
  readonly location: string | null;
  readonly headers: Headers;
}

const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];

/** Opens the authorize URL as a browser would, keeping its cookie. */
export async function openAuthorize(url: string | URL): Promise<PageVisit & { cookie: string | null; form: { interaction?: string; csrf?: string } }> {
  const response = await fetch(url, { redirect: 'manual' });
  const html = await response.text();
  const cookie = response.headers.get('set-cookie')?.split(';')[0] ?? null;
  return { status: response.status, html, location: response.headers.get('location'), headers: response.headers, cookie, form: { interaction: field(html, 'interaction'), csrf: field(html, 'csrf') } };
}

/** Sends the page's form. */
export async function submit(origin: string, cookie: string | null, fields: Record<string, string | undefined>): Promise<PageVisit> {
  const body = new URLSearchParams(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const response = await fetch(`${origin}/oauth/authorize`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) }, body });
  return { status: response.status, html: await response.text(), location: response.headers.get('location'), headers: response.headers };
}

/** Opens the page and approves as the admin: the redirect the client gets back. */
export async function approve(origin: string, url: string | URL, password = ADMIN_PASSWORD): Promise<PageVisit> {
  const page = await openAuthorize(url);
  if (page.status !== 200) return page;
  return submit(origin, page.cookie, { ...page.form, username: 'admin', password, decision: 'approve' });
}
