import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { OPERATIONS_VARIABLES, parseToolsConfig } from '@claude-code-mcp/server-config';

import { ConfigError, HTTP_VARIABLES, parseConfig, type ConfigContext } from '../src/index.js';

const context: ConfigContext = { cwd: '/work/project', homeDirectory: '/home/me' };

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    parseConfig(env, context);
  } catch (error) {
    expect(ConfigError.isInstance(error)).toBe(true);
    return (error as ConfigError).problems;
  }
  throw new Error('expected parseConfig to throw');
}

const oauthEnv = {
  OAUTH_ENABLED: 'true',
  OAUTH_CLIENT_ID: 'claude-code-mcp',
  OAUTH_CLIENT_SECRET: 's3cr3t-value-of-16+',
  BASE_URL: 'https://mcp.example.com',
};

describe('parseConfig (sse)', () => {
  it('reads every operations variable, in its documented place', () => {
    expect(HTTP_VARIABLES).toEqual(expect.arrayContaining([...OPERATIONS_VARIABLES]));
    expect(HTTP_VARIABLES.slice(HTTP_VARIABLES.indexOf('METRICS_ENABLED'), HTTP_VARIABLES.indexOf('WEBHOOKS_ENABLED'))).toEqual(['METRICS_ENABLED', 'METRICS_PORT', 'METRICS_HOST', 'SHUTDOWN_TIMEOUT_MS']);
  });

  it('applies every default to an empty environment', () => {
    const config = parseConfig({}, context);
    // The tools variables are server-config's (tested there); this server takes them as they are.
    expect(config).toEqual({
      ...parseToolsConfig({}, context),
      transport: 'both',
      port: 3000,
      host: '127.0.0.1',
      baseUrl: 'http://localhost:3000',
      oauth: { enabled: false },
      rateLimit: { enabled: true, requests: 100, windowMs: 60_000 },
      trustProxy: undefined,
      metrics: { enabled: false },
      webhooks: { enabled: false },
      shutdownTimeoutMs: 20_000,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.rateLimit)).toBe(true);
    expect(Object.isFrozen(config.oauth)).toBe(true);
  });

  it('reads every variable', () => {
    const config = parseConfig(
      {
        ...oauthEnv,
        DEFAULT_WORKING_DIRECTORY: '/srv/repos',
        DEFAULT_ALLOWED_TOOLS: 'Read,Grep',
        MAX_CONCURRENT_SESSIONS: '2',
        SESSION_TIMEOUT_MS: '120000',
        LOG_LEVEL: 'warn',
        CLAUDE_CODE_PATH: 'claude',
        DATA_DIR: '/data',
        TRANSPORT: 'HTTP',
        PORT: '8443',
        HOST: '0.0.0.0',
        BASE_URL: 'HTTPS://MCP.Example.com/',
        RATE_LIMIT_ENABLED: 'no',
        RATE_LIMIT_REQUESTS: '20',
        RATE_LIMIT_WINDOW_MS: '1000',
        TRUST_PROXY: '10.0.0.0/8, loopback',
        METRICS_ENABLED: 'YES',
        METRICS_PORT: '9464',
        METRICS_HOST: '0.0.0.0',
        SHUTDOWN_TIMEOUT_MS: '5000',
        WEBHOOKS_ENABLED: '1',
        WEBHOOK_URL: 'https://hooks.example.com/claude?token=abc',
        ADMIN_USERNAME: 'root@example',
        ADMIN_PASSWORD: 'a password long enough',
        OAUTH_DYNAMIC_REGISTRATION: 'false',
        OAUTH_CIMD_ALLOWED_HOSTS: 'Claude.ai, vscode.dev',
        OAUTH_CIMD_ALLOW_PRIVATE_ADDRESSES: 'true',
      },
      context,
    );
    expect(config).toEqual({
      ...parseToolsConfig(
        { DEFAULT_WORKING_DIRECTORY: '/srv/repos', DEFAULT_ALLOWED_TOOLS: 'Read,Grep', MAX_CONCURRENT_SESSIONS: '2', SESSION_TIMEOUT_MS: '120000', LOG_LEVEL: 'warn', CLAUDE_CODE_PATH: 'claude', DATA_DIR: '/data' },
        context,
      ),
      transport: 'http',
      port: 8443,
      host: '0.0.0.0',
      baseUrl: 'https://mcp.example.com',
      oauth: {
        enabled: true,
        adminUsername: 'root@example',
        adminPassword: 'a password long enough',
        confidentialClient: { clientId: 'claude-code-mcp', clientSecret: 's3cr3t-value-of-16+' },
        dynamicClientRegistration: false,
        clientMetadataHosts: ['claude.ai', 'vscode.dev'],
        clientMetadataPrivateAddresses: true,
        external: undefined,
        upstream: undefined,
      },
      rateLimit: { enabled: false, requests: 20, windowMs: 1000 },
      trustProxy: ['10.0.0.0/8', 'loopback'],
      metrics: { enabled: true, port: 9464, host: '0.0.0.0' },
      webhooks: { enabled: true, endpoints: [{ url: 'https://hooks.example.com/claude?token=abc', secret: undefined }], events: [], allowPrivateAddresses: false, maxAttempts: 15 },
      shutdownTimeoutMs: 5_000,
    });
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['Yes', true],
    ['false', false],
    ['False', false],
    ['0', false],
    ['NO', false],
  ])('accepts the boolean %j', (raw, expected) => {
    expect(parseConfig({ METRICS_ENABLED: raw }, context).metrics.enabled).toBe(expected);
  });

  it.each(['on', 'off', 'y', '2', 'enabled', 'truee'])('rejects the boolean %j', (raw) => {
    expect(problemsOf({ METRICS_ENABLED: raw })).toEqual([
      `METRICS_ENABLED: must be a boolean (got "${raw}"); use true/false, 1/0 or yes/no, e.g. METRICS_ENABLED=true`,
    ]);
  });

  it('takes TRUST_PROXY as a hop count or proxy addresses, never as "trust everyone"', () => {
    expect(parseConfig({ TRUST_PROXY: '2' }, context).trustProxy).toBe(2);
    expect(() => parseConfig({ TRUST_PROXY: 'true' }, context)).toThrow(/TRUST_PROXY: must list proxy addresses or CIDR ranges/);
    expect(() => parseConfig({ TRUST_PROXY: '0' }, context)).toThrow(/TRUST_PROXY: must be a hop count from 1 to 10/);
    expect(() => parseConfig({ TRUST_PROXY: '10.0.0.1; rm -rf' }, context)).toThrow(/TRUST_PROXY/);
  });

  it('serves /metrics on METRICS_PORT only when it differs from PORT, and checks both', () => {
    expect(parseConfig({ METRICS_ENABLED: 'true' }, context).metrics).toEqual({ enabled: true, port: undefined, host: '127.0.0.1' });
    expect(problemsOf({ METRICS_ENABLED: 'true', PORT: '9464', METRICS_PORT: '9464' })).toEqual(['METRICS_PORT: is the same port as PORT (9464); choose another, or unset it to serve /metrics on PORT']);
    expect(problemsOf({ METRICS_PORT: '70000' })[0]).toMatch(/^METRICS_PORT: /);
    expect(problemsOf({ METRICS_HOST: 'two words' })[0]).toMatch(/^METRICS_HOST: must be an IP address or host name/);
  });

  it('takes PORT=0 (any free port)', () => {
    expect(parseConfig({ PORT: '0' }, context).port).toBe(0);
  });

  it('uses PORT in the default BASE_URL and keeps the path of an explicit one', () => {
    expect(parseConfig({ PORT: '8080' }, context).baseUrl).toBe('http://localhost:8080');
    expect(parseConfig({ BASE_URL: 'https://example.com/mcp-gateway/' }, context).baseUrl).toBe(
      'https://example.com/mcp-gateway/',
    );
  });

  it('accepts loopback http as BASE_URL with OAuth', () => {
    const config = parseConfig({ ...oauthEnv, BASE_URL: 'http://127.0.0.1:3000' }, context);
    expect(config.oauth.enabled).toBe(true);
    expect(config.baseUrl).toBe('http://127.0.0.1:3000');
  });

  it.each([
    ['PORT', '65536', 'PORT: must be a whole number from 0 to 65535 (got "65536"); e.g. PORT=3000'],
    ['PORT', 'http', 'PORT: must be a whole number from 0 to 65535 (got "http"); e.g. PORT=3000'],
    ['HOST', 'my host', 'HOST: must be an IP address or host name (got "my host"); e.g. HOST=127.0.0.1, or HOST=0.0.0.0 to listen on every interface'],
    ['TRANSPORT', 'websocket', 'TRANSPORT: must be one of http, sse, both (got "websocket"); e.g. TRANSPORT=http'],
    ['BASE_URL', 'mcp.example.com', 'BASE_URL: must be an absolute URL (got "mcp.example.com"); e.g. BASE_URL=https://mcp.example.com'],
    ['BASE_URL', 'ftp://mcp.example.com', 'BASE_URL: must be an http or https URL (got "ftp://mcp.example.com"); e.g. BASE_URL=https://mcp.example.com'],
    ['BASE_URL', 'https://mcp.example.com/#top', 'BASE_URL: must not have a fragment ("#…") (got "https://mcp.example.com/#top"); e.g. BASE_URL=https://mcp.example.com'],
    ['BASE_URL', 'https://mcp.example.com/?a=1', 'BASE_URL: must not have a query ("?…") (got "https://mcp.example.com/?a=1"); e.g. BASE_URL=https://mcp.example.com'],
    ['RATE_LIMIT_REQUESTS', '0', 'RATE_LIMIT_REQUESTS: must be a whole number 1 or more (got "0"); e.g. RATE_LIMIT_REQUESTS=100'],
    ['RATE_LIMIT_WINDOW_MS', '60', 'RATE_LIMIT_WINDOW_MS: must be a whole number of milliseconds, 1000 or more (got "60"); e.g. RATE_LIMIT_WINDOW_MS=60000 (1 minute)'],
    ['OAUTH_ENABLED', 'maybe', 'OAUTH_ENABLED: must be a boolean (got "maybe"); use true/false, 1/0 or yes/no, e.g. OAUTH_ENABLED=true'],
  ])('reports a bad %s=%j as one readable line', (name, value, line) => {
    expect(problemsOf({ [name]: value })).toEqual([line]);
  });

  it('validates rate-limit numbers even when rate limiting is off', () => {
    expect(problemsOf({ RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_REQUESTS: 'lots' })).toHaveLength(1);
  });

  it('requires BASE_URL when OAuth is enabled, and a machine client whole or not at all', () => {
    expect(problemsOf({ OAUTH_ENABLED: 'true' })).toEqual([
      'BASE_URL: is required when OAUTH_ENABLED=true (not set); set the public URL clients use, e.g. BASE_URL=https://mcp.example.com',
    ]);
    expect(parseConfig({ OAUTH_ENABLED: 'true', BASE_URL: 'https://mcp.example.com' }, context).oauth).toEqual({
      enabled: true,
      adminUsername: 'admin',
      adminPassword: undefined,
      confidentialClient: undefined,
      dynamicClientRegistration: true,
      clientMetadataHosts: undefined,
      clientMetadataPrivateAddresses: false,
      external: undefined,
      upstream: undefined,
    });
    expect(problemsOf({ ...oauthEnv, OAUTH_CLIENT_SECRET: '   ' })).toEqual([
      'OAUTH_CLIENT_SECRET: is required when OAUTH_CLIENT_ID is set (not set); set the client secret, or unset OAUTH_CLIENT_ID',
    ]);
    expect(problemsOf({ ...oauthEnv, OAUTH_CLIENT_ID: '' })).toEqual([
      'OAUTH_CLIENT_ID: is required when OAUTH_CLIENT_SECRET is set (not set); set the client id, or unset OAUTH_CLIENT_SECRET',
    ]);
    expect(problemsOf({ ...oauthEnv, OAUTH_CLIENT_SECRET: 'short', ADMIN_PASSWORD: 'short' })).toEqual([
      'OAUTH_CLIENT_SECRET: must be at least 16 characters long (got a value of 5 characters); use a random secret, e.g. openssl rand -base64 32',
      'ADMIN_PASSWORD: must be 12 to 1024 characters long (got a value of 5 characters); choose a longer password',
    ]);
    expect(problemsOf({ ...oauthEnv, BASE_URL: 'https://mcp.example.com/prefix' })).toEqual([
      'BASE_URL: must be an origin without a path when OAUTH_ENABLED=true (got "https://mcp.example.com/prefix"); the issuer and /mcp are served at the root, e.g. BASE_URL=https://mcp.example.com',
    ]);
  });

  it('reads an upstream sign-in provider, which needs a client id and makes the admin password optional', () => {
    const upstream = parseConfig({ OAUTH_ENABLED: 'true', BASE_URL: 'https://mcp.example.com', OAUTH_UPSTREAM_ISSUER: 'https://id.example.com', OAUTH_UPSTREAM_CLIENT_ID: 'claude-code-mcp', OAUTH_UPSTREAM_CLIENT_SECRET: 'shh', OAUTH_UPSTREAM_NAME: 'Example Corp', OAUTH_UPSTREAM_ALLOWED: '@example.com', OAUTH_UPSTREAM_ADMINS: 'alice@example.com, sub:1234' }, context);
    expect(upstream.oauth.enabled && upstream.oauth.upstream).toEqual({ issuer: 'https://id.example.com', clientId: 'claude-code-mcp', clientSecret: 'shh', name: 'Example Corp', allowed: ['@example.com'], admins: ['alice@example.com', 'sub:1234'] });
    expect(problemsOf({ OAUTH_ENABLED: 'true', BASE_URL: 'https://mcp.example.com', OAUTH_UPSTREAM_ISSUER: 'http://id.example.com' })).toEqual([
      'OAUTH_UPSTREAM_ISSUER: must use https (got "http://id.example.com"); plain http is allowed only for localhost, 127.0.0.0/8 and [::1]',
      "OAUTH_UPSTREAM_CLIENT_ID: is required when OAUTH_UPSTREAM_ISSUER is set (not set); set this server's client id at the provider",
      'OAUTH_UPSTREAM_ALLOWED: is required when OAUTH_UPSTREAM_ISSUER is set (not set); list who may sign in (e.g. @example.com), or * for everyone the provider signs in',
    ]);
  });

  it('reads an external issuer, and refuses the built-in server’s settings beside it', () => {
    const external = parseConfig({ OAUTH_ENABLED: 'true', BASE_URL: 'https://mcp.example.com', OAUTH_ISSUER: 'https://id.example.com/realms/main', OAUTH_TOKEN_PROFILE: 'JWT', OAUTH_SCOPE_CLAIM: 'scp', OAUTH_CLIENT_ID_CLAIM: 'azp' }, context);
    expect(external.oauth.enabled && external.oauth.external).toEqual({ issuer: 'https://id.example.com/realms/main', audience: 'https://mcp.example.com/mcp', profile: 'jwt', scopeClaim: 'scp', clientIdClaim: 'azp' });
    expect(problemsOf({ ...oauthEnv, OAUTH_ISSUER: 'http://id.example.com', OAUTH_AUDIENCE: 'two words', OAUTH_SCOPE_CLAIM: 'a b' })).toEqual([
      'OAUTH_CLIENT_ID: is for the built-in authorization server; unset it when OAUTH_ISSUER names an external one',
      'OAUTH_CLIENT_SECRET: is for the built-in authorization server; unset it when OAUTH_ISSUER names an external one',
      'OAUTH_ISSUER: must use https (got "http://id.example.com"); plain http is allowed only for localhost, 127.0.0.0/8 and [::1]',
      'OAUTH_AUDIENCE: must be one audience value without spaces (got "two words"); e.g. OAUTH_AUDIENCE=https://mcp.example.com/mcp',
      'OAUTH_SCOPE_CLAIM: must be a claim name (letters, digits, ".", ":", "_", "-") (got "a b"); e.g. OAUTH_SCOPE_CLAIM=scp',
    ]);
  });

  it('requires https for BASE_URL when OAuth is enabled, except on loopback', () => {
    expect(problemsOf({ ...oauthEnv, BASE_URL: 'http://mcp.example.com' })).toEqual([
      'BASE_URL: must use https when OAUTH_ENABLED=true (got "http://mcp.example.com"); plain http is allowed only for localhost, 127.0.0.0/8 and [::1]',
    ]);
  });

  it('ignores OAuth and webhook details while they are disabled', () => {
    const config = parseConfig(
      { OAUTH_ENABLED: 'false', OAUTH_CLIENT_ID: 'x', WEBHOOKS_ENABLED: 'no', WEBHOOK_URL: 'https://h.example.com' },
      context,
    );
    expect(config.oauth).toEqual({ enabled: false });
    expect(config.webhooks).toEqual({ enabled: false });
  });

  it('requires WEBHOOK_URL when webhooks are enabled, and never echoes it', () => {
    expect(problemsOf({ WEBHOOKS_ENABLED: 'true' })).toEqual([
      'WEBHOOK_URL: is required when WEBHOOKS_ENABLED=true (not set); set the receiver URL, or set WEBHOOKS_ENABLED=false',
    ]);
    const problems = problemsOf({ WEBHOOKS_ENABLED: 'true', WEBHOOK_URL: 'https://user:tok3n@hooks.example.com' });
    expect(problems).toEqual([
      'WEBHOOK_URL: must not contain a user name or password (got a value of 36 characters); e.g. WEBHOOK_URL=https://hooks.example.com/claude',
    ]);
    expect(problems.join('\n')).not.toContain('tok3n');
  });

  it('reports every problem at once in documented order, including cross-variable ones', () => {
    const problems = problemsOf({
      WEBHOOKS_ENABLED: 'true',
      PORT: '99999',
      OAUTH_ENABLED: 'true',
      OAUTH_CLIENT_ID: 'id',
      OAUTH_CLIENT_SECRET: 'secret-of-sixteen-chars',
      BASE_URL: 'not a url',
      LOG_LEVEL: 'chatty',
    });
    expect(problems.map((line) => line.split(':')[0])).toEqual(['LOG_LEVEL', 'PORT', 'BASE_URL', 'WEBHOOK_URL']);
  });

  it('rejects a relative context', () => {
    expect(() => parseConfig({}, { cwd: '/x', homeDirectory: '~' })).toThrow(
      'context.homeDirectory: must be an absolute path',
    );
  });
});

describe('.env.example', () => {
  const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
  const lines = [...example.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(([, name = '', value = '']) => ({ name, value }));

  it('lists every variable the servers read, and nothing they do not', () => {
    const names = lines.map((line) => line.name);
    expect(names.filter((name) => name !== 'ANTHROPIC_API_KEY').sort()).toEqual([...HTTP_VARIABLES].sort());
  });

  it('gives the real defaults: every line uncommented as it is parses to the defaults', () => {
    const env = Object.fromEntries(lines.map(({ name, value }) => [name, value]));
    expect(parseConfig(env, context)).toEqual(parseConfig({}, context));
  });
});
