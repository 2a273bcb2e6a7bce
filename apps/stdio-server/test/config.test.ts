// The stdio server's configuration: the tools variables (server-config's, tested there) plus
// metrics, which need a port of their own here, and webhooks.
import { parseToolsConfig } from '@claude-code-mcp/server-config';
import { describe, expect, it } from 'vitest';

import { ConfigError, STDIO_VARIABLES, parseConfig, type ConfigContext } from '../src/index.js';

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

describe('parseConfig (stdio)', () => {
  it('applies every default to an empty environment: metrics and webhooks off', () => {
    const config = parseConfig({}, context);
    expect(config).toEqual({ ...parseToolsConfig({}, context), metrics: { enabled: false }, webhooks: { enabled: false } });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('serves metrics only on METRICS_PORT, and says so when it is missing', () => {
    expect(parseConfig({ METRICS_ENABLED: 'true', METRICS_PORT: '9464' }, context).metrics).toEqual({ enabled: true, port: 9464, host: '127.0.0.1' });
    expect(problemsOf({ METRICS_ENABLED: 'true' })).toEqual(['METRICS_PORT: is required when METRICS_ENABLED=true (not set); the stdio server serves /metrics only on a port of its own, e.g. METRICS_PORT=9464']);
    // A port without metrics on is allowed (and unused).
    expect(parseConfig({ METRICS_PORT: '9464' }, context).metrics).toEqual({ enabled: false });
  });

  it('reads the webhook receivers', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(parseConfig({ WEBHOOKS_ENABLED: 'true', WEBHOOK_URL: 'https://hooks.example.com/claude', WEBHOOK_SECRET: secret, WEBHOOK_EVENTS: 'tool.*' }, context).webhooks).toEqual({
      enabled: true,
      endpoints: [{ url: 'https://hooks.example.com/claude', secret }],
      events: ['tool.*'],
      allowPrivateAddresses: false,
      maxAttempts: 15,
    });
  });

  it('reports every problem at once, in the documented order, never echoing a receiver URL', () => {
    const problems = problemsOf({ LOG_LEVEL: 'loud', METRICS_ENABLED: 'true', WEBHOOKS_ENABLED: 'true', WEBHOOK_URL: 'http://hooks.example.com/claude?token=s3cret' });
    expect(problems.map((line) => line.split(':')[0])).toEqual(['LOG_LEVEL', 'METRICS_PORT', 'WEBHOOK_URL']);
    expect(problems.join('\n')).not.toContain('s3cret');
    expect(STDIO_VARIABLES.slice(-9)).toEqual(['METRICS_ENABLED', 'METRICS_PORT', 'METRICS_HOST', 'WEBHOOKS_ENABLED', 'WEBHOOK_URL', 'WEBHOOK_SECRET', 'WEBHOOK_EVENTS', 'WEBHOOK_ALLOW_PRIVATE_ADDRESSES', 'WEBHOOK_MAX_ATTEMPTS']);
  });
});
