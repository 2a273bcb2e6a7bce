import { describe, expect, it } from 'vitest';

import {
  OAUTH_ENDPOINT_PATHS,
  OAuthServerError,
  buildAuthorizationServerMetadata,
  buildProtectedResourceMetadata,
  type OAuthServerErrorCode,
} from '../src/index.js';

function expectCode(run: () => unknown, code: OAuthServerErrorCode): OAuthServerError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(OAuthServerError.isInstance(caught), `expected an OAuthServerError ${code}`).toBe(true);
  expect(caught).toMatchObject({ code, name: 'OAuthServerError' });
  return caught as OAuthServerError;
}

function isDeeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value == null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeeplyFrozen);
}

describe('buildProtectedResourceMetadata', () => {
  it('builds the RFC 9728 document', () => {
    const metadata = buildProtectedResourceMetadata({
      resource: 'https://mcp.example.com/mcp',
      authorizationServers: ['https://auth.example.com'],
      scopesSupported: ['mcp:tools', 'mcp:read'],
      resourceName: 'Claude Code MCP',
      resourceDocumentation: 'https://docs.example.com/mcp',
    });
    expect(metadata).toEqual({
      resource: 'https://mcp.example.com/mcp',
      authorization_servers: ['https://auth.example.com'],
      bearer_methods_supported: ['header'],
      scopes_supported: ['mcp:tools', 'mcp:read'],
      resource_name: 'Claude Code MCP',
      resource_documentation: 'https://docs.example.com/mcp',
    });
    expect(isDeeplyFrozen(metadata)).toBe(true);
  });

  it('omits optional members that were not given', () => {
    expect(
      buildProtectedResourceMetadata({
        resource: 'https://mcp.example.com:8443',
        authorizationServers: ['https://mcp.example.com:8443'],
      }),
    ).toEqual({
      resource: 'https://mcp.example.com:8443',
      authorization_servers: ['https://mcp.example.com:8443'],
      bearer_methods_supported: ['header'],
    });
  });

  it('canonicalises URLs: lower-case scheme and host, no default port, no lone trailing slash', () => {
    const metadata = buildProtectedResourceMetadata({
      resource: 'HTTPS://MCP.Example.COM:443/MCP',
      authorizationServers: ['https://Auth.Example.com/', 'https://auth.example.com/tenant/'],
    });
    expect(metadata.resource).toBe('https://mcp.example.com/MCP');
    expect(metadata.authorization_servers).toEqual([
      'https://auth.example.com',
      'https://auth.example.com/tenant/',
    ]);
  });

  it('allows plain http on loopback hosts only', () => {
    for (const resource of ['http://localhost:3000/mcp', 'http://127.0.0.1:3000/mcp', 'http://[::1]:3000/mcp']) {
      expect(
        buildProtectedResourceMetadata({ resource, authorizationServers: ['http://localhost:3000'] }).resource,
      ).toBe(resource);
    }
    const error = expectCode(
      () =>
        buildProtectedResourceMetadata({
          resource: 'http://mcp.example.com/mcp',
          authorizationServers: ['https://auth.example.com'],
        }),
      'OAUTH_SERVER_INVALID_URL',
    );
    expect(error.message).toBe(
      'resource must use https; plain http is allowed only for localhost, 127.0.0.0/8 and [::1] (got "http://mcp.example.com/mcp").',
    );
  });

  it('allows a query on the resource but not on an issuer', () => {
    expect(
      buildProtectedResourceMetadata({
        resource: 'https://mcp.example.com/mcp?tenant=a',
        authorizationServers: ['https://auth.example.com'],
      }).resource,
    ).toBe('https://mcp.example.com/mcp?tenant=a');
    const error = expectCode(
      () =>
        buildProtectedResourceMetadata({
          resource: 'https://mcp.example.com/mcp',
          authorizationServers: ['https://auth.example.com?x=1'],
        }),
      'OAUTH_SERVER_INVALID_URL',
    );
    expect(error.message).toContain('authorizationServers[0] must not have a query');
  });

  it.each([
    ['a relative URL', '/mcp', /must be an absolute URL/],
    ['a fragment', 'https://mcp.example.com/mcp#section', /must not have a fragment/],
    ['an empty fragment', 'https://mcp.example.com/mcp#', /must not have a fragment/],
    ['credentials', 'https://user:pass@mcp.example.com/mcp', /must not contain a user name or password/],
    ['another scheme', 'ftp://mcp.example.com/mcp', /must use https/],
    ['whitespace', ' https://mcp.example.com/mcp', /whitespace/],
    ['an empty string', '', /non-empty absolute URL/],
  ])('rejects a resource with %s', (_case, resource, message) => {
    const error = expectCode(
      () => buildProtectedResourceMetadata({ resource, authorizationServers: ['https://auth.example.com'] }),
      'OAUTH_SERVER_INVALID_URL',
    );
    expect(error.message).toMatch(message);
  });

  it.each([
    ['no authorization server', { authorizationServers: [] }, /at least one issuer/],
    ['the same issuer twice', { authorizationServers: ['https://a.example.com', 'https://A.example.com/'] }, /twice/],
    ['offline_access', { scopesSupported: ['mcp:tools', 'offline_access'] }, /offline_access/],
    ['a scope with a space', { scopesSupported: ['mcp tools'] }, /not a scope token/],
    ['a repeated scope', { scopesSupported: ['a', 'a'] }, /lists "a" twice/],
    ['an empty resource name', { resourceName: ' ' }, /resourceName/],
  ])('rejects %s with OAUTH_SERVER_INVALID_OPTIONS', (_case, override, message) => {
    const error = expectCode(
      () =>
        buildProtectedResourceMetadata({
          resource: 'https://mcp.example.com/mcp',
          authorizationServers: ['https://auth.example.com'],
          ...override,
        }),
      'OAUTH_SERVER_INVALID_OPTIONS',
    );
    expect(error.message).toMatch(message);
  });
});

describe('buildAuthorizationServerMetadata', () => {
  it('builds the RFC 8414 document of an OAuth 2.1 server with endpoints under /oauth', () => {
    const metadata = buildAuthorizationServerMetadata({
      issuer: 'https://mcp.example.com',
      scopesSupported: ['mcp:tools', 'offline_access'],
      dynamicClientRegistration: true,
    });
    expect(metadata).toEqual({
      issuer: 'https://mcp.example.com',
      authorization_endpoint: 'https://mcp.example.com/oauth/authorize',
      token_endpoint: 'https://mcp.example.com/oauth/token',
      revocation_endpoint: 'https://mcp.example.com/oauth/revoke',
      registration_endpoint: 'https://mcp.example.com/oauth/register',
      scopes_supported: ['mcp:tools', 'offline_access'],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      revocation_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(isDeeplyFrozen(metadata)).toBe(true);
  });

  it('advertises S256 only, and no registration endpoint unless asked', () => {
    const metadata = buildAuthorizationServerMetadata({ issuer: 'https://mcp.example.com' });
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata).not.toHaveProperty('registration_endpoint');
    expect(metadata).not.toHaveProperty('client_id_metadata_document_supported');
    expect(metadata).not.toHaveProperty('scopes_supported');
  });

  it('keeps the issuer path and derives endpoints below it', () => {
    const metadata = buildAuthorizationServerMetadata({ issuer: 'http://127.0.0.1:3000/tenant-a/' });
    expect(metadata.issuer).toBe('http://127.0.0.1:3000/tenant-a/');
    expect(metadata.authorization_endpoint).toBe('http://127.0.0.1:3000/tenant-a/oauth/authorize');
    expect(metadata.token_endpoint).toBe(`http://127.0.0.1:3000/tenant-a${OAUTH_ENDPOINT_PATHS.token}`);
  });

  it('canonicalises the issuer the same way as the resource metadata lists it', () => {
    const issuer = 'HTTPS://MCP.Example.com:443/';
    const resourceMetadata = buildProtectedResourceMetadata({
      resource: 'https://mcp.example.com/mcp',
      authorizationServers: [issuer],
    });
    expect(buildAuthorizationServerMetadata({ issuer }).issuer).toBe(resourceMetadata.authorization_servers[0]);
  });

  it('passes optional documents through', () => {
    const metadata = buildAuthorizationServerMetadata({
      issuer: 'https://mcp.example.com',
      clientIdMetadataDocumentSupported: true,
      tokenEndpointAuthMethods: ['none'],
      jwksUri: 'https://mcp.example.com/oauth/jwks',
      serviceDocumentation: 'https://docs.example.com',
    });
    expect(metadata).toMatchObject({
      client_id_metadata_document_supported: true,
      token_endpoint_auth_methods_supported: ['none'],
      revocation_endpoint_auth_methods_supported: ['none'],
      jwks_uri: 'https://mcp.example.com/oauth/jwks',
      service_documentation: 'https://docs.example.com',
    });
  });

  it.each([
    ['a query', 'https://mcp.example.com?tenant=a', /issuer must not have a query/],
    ['an empty query', 'https://mcp.example.com/?', /issuer must not have a query/],
    ['a fragment', 'https://mcp.example.com/#x', /issuer must not have a fragment/],
    ['plain http on a public host', 'http://mcp.example.com', /must use https/],
    ['plain http on a private address', 'http://10.0.0.5:3000', /must use https/],
    ['no scheme', 'mcp.example.com', /absolute URL/],
  ])('rejects an issuer with %s', (_case, issuer, message) => {
    const error = expectCode(() => buildAuthorizationServerMetadata({ issuer }), 'OAUTH_SERVER_INVALID_URL');
    expect(error.message).toMatch(message);
  });

  it('keeps the URL parser error as the cause', () => {
    const error = expectCode(() => buildAuthorizationServerMetadata({ issuer: 'not a url' }), 'OAUTH_SERVER_INVALID_URL');
    expect(error.message).toMatch(/whitespace/);
    const parseError = expectCode(() => buildAuthorizationServerMetadata({ issuer: 'https//x' }), 'OAUTH_SERVER_INVALID_URL');
    expect(parseError.cause).toBeInstanceOf(TypeError);
  });

  it.each([
    ['an unknown auth method', { tokenEndpointAuthMethods: ['private_key_jwt'] }],
    ['no auth method', { tokenEndpointAuthMethods: [] }],
    ['a non-boolean flag', { dynamicClientRegistration: 'yes' }],
    ['a bad scope', { scopesSupported: ['a"b'] }],
  ])('rejects %s with OAUTH_SERVER_INVALID_OPTIONS', (_case, override) => {
    expectCode(
      () => buildAuthorizationServerMetadata({ issuer: 'https://mcp.example.com', ...override } as never),
      'OAUTH_SERVER_INVALID_OPTIONS',
    );
  });

  it('rejects a jwksUri with a fragment', () => {
    expectCode(
      () => buildAuthorizationServerMetadata({ issuer: 'https://mcp.example.com', jwksUri: 'https://x.example/jwks#k' }),
      'OAUTH_SERVER_INVALID_URL',
    );
  });
});

describe('OAuthServerError', () => {
  it('preserves cause and recognises foreign copies by brand', () => {
    const cause = new Error('root');
    expect(new OAuthServerError('OAUTH_SERVER_INVALID_URL', 'x', { cause }).cause).toBe(cause);
    const foreign = new Error('x');
    Object.defineProperty(foreign, Symbol.for('@claude-code-mcp/oauth-server:OAuthServerError'), { value: true });
    expect(OAuthServerError.isInstance(foreign)).toBe(true);
    expect(OAuthServerError.isInstance({ code: 'OAUTH_SERVER_INVALID_URL' })).toBe(false);
  });
});
