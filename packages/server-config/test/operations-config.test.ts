// The operations variables as an app composes them: merged into its schema, cross-checked in its
// superRefine, mapped to frozen options.
import * as z from 'zod';
import { describe, expect, it } from 'vitest';

import { ConfigError, OPERATIONS_SECRET_VARIABLES, OPERATIONS_VARIABLES, checkOperations, operationsConfigFrom, operationsVariables, parseEnvironment, type OperationsConfig } from '../src/index.js';

function parseConfig(env: Record<string, string | undefined>): OperationsConfig {
  const schema = z.object(operationsVariables()).superRefine((values, issues) => checkOperations(values, env, issues), { when: () => true });
  return operationsConfigFrom(parseEnvironment(env, schema, OPERATIONS_VARIABLES));
}

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    parseConfig(env);
  } catch (error) {
    expect(ConfigError.isInstance(error)).toBe(true);
    return (error as ConfigError).problems;
  }
  throw new Error('expected parseConfig to throw');
}

describe('operations variables', () => {
  it('are off by default, frozen', () => {
    const config = parseConfig({});
    expect(config).toEqual({ metrics: { enabled: false }, webhooks: { enabled: false } });
    expect(Object.isFrozen(config) && Object.isFrozen(config.metrics) && Object.isFrozen(config.webhooks)).toBe(true);
    expect(OPERATIONS_SECRET_VARIABLES).toEqual(['WEBHOOK_URL', 'WEBHOOK_SECRET']);
  });

  it('read where metrics are served', () => {
    expect(parseConfig({ METRICS_ENABLED: 'true' }).metrics).toEqual({ enabled: true, port: undefined, host: '127.0.0.1' });
    expect(parseConfig({ METRICS_ENABLED: 'yes', METRICS_PORT: '9464', METRICS_HOST: '[::1]' }).metrics).toEqual({ enabled: true, port: 9464, host: '::1' });
    expect(problemsOf({ METRICS_PORT: '70000' })).toEqual(['METRICS_PORT: must be a whole number from 1 to 65535 (got "70000"); e.g. METRICS_PORT=9464']);
    expect(problemsOf({ METRICS_HOST: 'two words' })[0]).toMatch(/^METRICS_HOST: must be an IP address or host name/);
    expect(problemsOf({ METRICS_ENABLED: 'maybe' })).toEqual(['METRICS_ENABLED: must be a boolean (got "maybe"); use true/false, 1/0 or yes/no, e.g. METRICS_ENABLED=true']);
  });

  it('reads webhook receivers, their secrets, the event filter and the attempts, and refuses what cannot be sent safely', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const two = parseConfig({ WEBHOOKS_ENABLED: 'true', WEBHOOK_URL: 'https://a.example/hook, https://b.example/hook', WEBHOOK_SECRET: secret, WEBHOOK_EVENTS: 'tool.*, server.started', WEBHOOK_MAX_ATTEMPTS: '3' }).webhooks;
    expect(two).toEqual({
      enabled: true,
      endpoints: [{ url: 'https://a.example/hook', secret }, { url: 'https://b.example/hook', secret }],
      events: ['tool.*', 'server.started'],
      allowPrivateAddresses: false,
      maxAttempts: 3,
    });
    // Plain http only with private receivers allowed (delivery refuses it to a public address anyway).
    expect(parseConfig({ WEBHOOKS_ENABLED: 'true', WEBHOOK_URL: 'http://127.0.0.1:9000/hook', WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' }).webhooks.enabled).toBe(true);
    for (const url of ['http://127.0.0.1:9000/hook', 'http://hooks.example.com/claude']) {
      expect(problemsOf({ WEBHOOKS_ENABLED: 'true', WEBHOOK_URL: url })).toEqual([
        'WEBHOOK_URL: must use https; plain http only to a receiver on this machine or a private network, with WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true',
      ]);
    }
    expect(problemsOf({ WEBHOOK_URL: 'https://a.example/hook,https://a.example/hook' })[0]).toMatch(/^WEBHOOK_URL: names a receiver twice/);
    // A secret the signer would refuse (33 characters of base64) is refused now, not at the first delivery.
    expect(problemsOf({ WEBHOOK_SECRET: `whsec_${'A'.repeat(33)}` })[0]).toMatch(/^WEBHOOK_SECRET: must be whsec_ secrets/);
    expect(problemsOf({ WEBHOOK_URL: 'https://a.example/hook,https://b.example/hook', WEBHOOK_SECRET: `${secret},${secret},${secret}` })[0]).toMatch(/^WEBHOOK_SECRET: has 3 secrets for 2 receivers/);
    expect(problemsOf({ WEBHOOK_SECRET: 'not-a-secret' })[0]).toMatch(/^WEBHOOK_SECRET: must be whsec_ secrets/);
    expect(problemsOf({ WEBHOOK_EVENTS: 'tool.**' })[0]).toMatch(/^WEBHOOK_EVENTS: has "tool\.\*\*"/);
    // A bad secret is not echoed.
    expect(problemsOf({ WEBHOOK_SECRET: 'whsec_short' }).join('')).not.toContain('whsec_short');
  });

  it('require WEBHOOK_URL when webhooks are on, report every problem at once, and never echo a URL or secret', () => {
    expect(problemsOf({ WEBHOOKS_ENABLED: 'true' })).toEqual(['WEBHOOK_URL: is required when WEBHOOKS_ENABLED=true (not set); set the receiver URL, or set WEBHOOKS_ENABLED=false']);
    const problems = problemsOf({ WEBHOOKS_ENABLED: 'true', WEBHOOK_URL: 'https://user:tok3n@hooks.example.com', WEBHOOK_SECRET: 'whsec_short', WEBHOOK_MAX_ATTEMPTS: '0' });
    expect(problems.map((line) => line.split(':')[0])).toEqual(['WEBHOOK_URL', 'WEBHOOK_SECRET', 'WEBHOOK_MAX_ATTEMPTS']);
    expect(problems.join('\n')).not.toMatch(/tok3n|whsec_short/);
    // A receiver list of 11 is refused: fan out behind one instead.
    expect(problemsOf({ WEBHOOK_URL: Array.from({ length: 11 }, (_, index) => `https://h${index}.example/hook`).join(',') })[0]).toMatch(/^WEBHOOK_URL: names more than 10 receivers/);
    // One secret per receiver, in order.
    const [first, second] = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', `whsec_${Buffer.alloc(32, 1).toString('base64')}`];
    const config = parseConfig({ WEBHOOKS_ENABLED: 'true', WEBHOOK_URL: 'https://a.example/hook,https://b.example/hook', WEBHOOK_SECRET: `${first},${second}` });
    expect(config.webhooks.enabled && config.webhooks.endpoints.map((endpoint) => endpoint.secret)).toEqual([first, second]);
  });
});
