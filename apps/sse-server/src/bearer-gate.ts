// The resource-server side of OAuth for the MCP routes: the access token from the Authorization
// header (RFC 6750 §2.1; never from the URL), verified, and the answer when it is missing or bad:
// 401 (or 400) with a WWW-Authenticate challenge that names the resource metadata (RFC 9728 §5.1)
// and the baseline scopes.
import { OAuthServerError, type VerifiedAccessToken } from '@claude-code-mcp/oauth-server';
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** What the gate found on a request. */
export type BearerCheck =
  | { readonly ok: true; readonly auth: AuthInfo; readonly principal: string }
  | { readonly ok: false; readonly status: 400 | 401 | 500 | 503; readonly error?: 'invalid_request' | 'invalid_token'; readonly description?: string };

/** Options of {@link bearerGate}. */
export interface BearerGateOptions {
  readonly verify: (token: string) => Promise<VerifiedAccessToken>;
  /** The protected resource metadata URL the challenge points to. */
  readonly resourceMetadataUrl: string;
  /** Scopes a client should ask for to begin with (the challenge's `scope`). */
  readonly scope: string;
  /** Where a failure to check a token (not the token's fault) is reported; never with the token. */
  readonly logger?: { warn(details: Record<string, unknown>, message: string): void };
}

// RFC 6750 §2.1: b64token, after one or more spaces.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

// RFC 6750 §3: error_description is printable ASCII without `"` and `\`.
const quotable = (text: string) => text.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?').slice(0, 300);

/** Who a verified token speaks for: the client and, for a person's token, the person. */
export const principalOf = (auth: AuthInfo): string => JSON.stringify([auth.clientId, (auth.extra as { subject?: string } | undefined)?.subject ?? auth.clientId]);

function tokenInQuery(url: string): boolean {
  const at = url.indexOf('?');
  return at >= 0 && new URLSearchParams(url.slice(at + 1)).has('access_token');
}

/**
 * Checks bearer tokens and answers refusals.
 *
 * @example
 * ```ts
 * const gate = bearerGate({ verify: (token) => server.verify(token), resourceMetadataUrl, scope: 'read run' });
 * const check = await gate.check(request);
 * if (!check.ok) return gate.refuse(reply, check);
 * ```
 */
export function bearerGate(options: BearerGateOptions): { check(request: FastifyRequest): Promise<BearerCheck>; refuse(reply: FastifyReply, check: BearerCheck & { ok: false }, scope?: string): FastifyReply } {
  const challenge = (check: BearerCheck & { ok: false }, scope: string) =>
    ['Bearer', [`resource_metadata="${options.resourceMetadataUrl}"`, `scope="${scope}"`, ...(check.error ? [`error="${check.error}"`, `error_description="${quotable(check.description ?? '')}"`] : [])].join(', ')].join(' ');
  return {
    async check(request) {
      if (tokenInQuery(request.url)) return { ok: false, status: 400, error: 'invalid_request', description: 'Send the access token in the Authorization header, never in the URL.' };
      const header = request.headers.authorization;
      // No credentials for this scheme: the plain challenge (RFC 6750 §3.1 names no error then).
      if (header === undefined || !/^bearer(?: |$)/i.test(header.trim())) return { ok: false, status: 401 };
      const match = BEARER.exec(header);
      if (match === null) return { ok: false, status: 400, error: 'invalid_request', description: 'The Authorization header must be "Bearer" and one token.' };
      try {
        const verified = await options.verify(match[1]!);
        const auth: AuthInfo = { token: verified.token, clientId: verified.clientId, scopes: [...verified.scopes], expiresAt: verified.expiresAt, resource: verified.resource, resourceMetadataUrl: options.resourceMetadataUrl, extra: { ...verified.extra } };
        return { ok: true, auth, principal: principalOf(auth) };
      } catch (error) {
        if (OAuthServerError.isInstance(error) && error.code === 'OAUTH_SERVER_INVALID_TOKEN') return { ok: false, status: 401, error: 'invalid_token', description: error.message };
        options.logger?.warn({ code: (error as { code?: unknown }).code, reason: (error as Error).message }, 'an access token could not be checked');
        return { ok: false, status: OAuthServerError.isInstance(error) && error.code === 'OAUTH_SERVER_ISSUER_UNAVAILABLE' ? 503 : 500 };
      }
    },
    // `scope`: what this route asks for, when it is not the MCP routes' baseline.
    refuse(reply, check, scope = options.scope) {
      if (check.status === 503) return reply.code(503).header('retry-after', '10').send({ error: 'temporarily_unavailable', error_description: 'The authorization server that issues the tokens cannot be reached; try again later.' });
      if (check.status === 500) return reply.code(500).send({ error: 'server_error', error_description: 'The access token could not be checked; try again later.' });
      return reply
        .code(check.status)
        .header('www-authenticate', challenge(check, scope))
        .header('cache-control', 'no-store')
        // No token: no error code, as in the challenge (RFC 6750 §3.1), only what to do.
        .send(check.error ? { error: check.error, error_description: check.description } : { error_description: 'This endpoint needs an access token (Authorization: Bearer …); WWW-Authenticate names the metadata that says where to get one.' });
    },
  };
}
