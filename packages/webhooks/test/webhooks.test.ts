import { describe, expect, it } from 'vitest';

import {
  WebhookError,
  generateWebhookSecret,
  isWebhookSecret,
  signWebhook,
  verifyWebhook,
  type VerifyWebhookOptions,
  type WebhookErrorCode,
} from '../src/index.js';

// The Standard Webhooks specification's published test vector.
const vector = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const atVectorTime = (): number => vector.timestamp * 1000;

function vectorOptions(overrides: Partial<VerifyWebhookOptions> = {}): VerifyWebhookOptions {
  return {
    headers: {
      'webhook-id': vector.id,
      'webhook-timestamp': String(vector.timestamp),
      'webhook-signature': vector.signature,
    },
    payload: vector.payload,
    secret: vector.secret,
    now: atVectorTime,
    ...overrides,
  };
}

function expectCode(run: () => unknown, code: WebhookErrorCode): WebhookError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(WebhookError.isInstance(caught), `expected a WebhookError ${code}`).toBe(true);
  expect(caught).toMatchObject({ code, name: 'WebhookError' });
  return caught as WebhookError;
}

describe('signWebhook', () => {
  it('reproduces the Standard Webhooks reference signature', () => {
    expect(
      signWebhook({ id: vector.id, timestamp: vector.timestamp, payload: vector.payload, secret: vector.secret }),
    ).toEqual({
      'webhook-id': vector.id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': vector.signature,
    });
  });

  it('accepts a Date and byte payloads, and signs the same bytes either way', () => {
    const fromDate = signWebhook({
      id: vector.id,
      timestamp: new Date(vector.timestamp * 1000 + 999),
      payload: new TextEncoder().encode(vector.payload),
      secret: vector.secret,
    });
    expect(fromDate['webhook-timestamp']).toBe('1614265330');
    expect(fromDate['webhook-signature']).toBe(vector.signature);
    expect(Object.isFrozen(fromDate)).toBe(true);
  });

  it.each([
    ['an id with a space', { id: 'msg 1' }],
    ['an empty id', { id: '' }],
    ['a timestamp in milliseconds', { timestamp: Date.now() }],
    ['a fractional timestamp', { timestamp: 1.5 }],
    ['an invalid Date', { timestamp: new Date('nope') }],
    ['a parsed object as payload', { payload: { test: 1 } }],
  ])('rejects %s with WEBHOOK_INVALID_OPTIONS', (_case, override) => {
    expectCode(
      () => signWebhook({ id: 'msg_1', timestamp: 1, payload: '{}', secret: vector.secret, ...override } as never),
      'WEBHOOK_INVALID_OPTIONS',
    );
  });
});

describe('generateWebhookSecret', () => {
  it('makes distinct whsec_ secrets of 32 random bytes', () => {
    const first = generateWebhookSecret();
    const second = generateWebhookSecret();
    expect(first).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(first.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(first).not.toBe(second);
  });
});

describe('verifyWebhook', () => {
  it('accepts the reference vector', () => {
    expect(verifyWebhook(vectorOptions())).toEqual({ id: vector.id, timestamp: vector.timestamp });
  });

  it('round-trips with a fresh secret through Fetch Headers', () => {
    const secret = generateWebhookSecret();
    const payload = JSON.stringify({ type: 'session.completed', data: { sessionId: 's1' } });
    const signed = signWebhook({ id: 'msg_round_trip', timestamp: new Date(), payload, secret });
    const headers = new Headers({ ...signed, 'content-type': 'application/json' });
    const verified = verifyWebhook({ headers, payload, secret });
    expect(verified.id).toBe('msg_round_trip');
    expect(verified.timestamp).toBe(Number(signed['webhook-timestamp']));
  });

  it('matches Node-style header records case-insensitively, including array values', () => {
    expect(
      verifyWebhook(
        vectorOptions({
          headers: {
            'Webhook-Id': vector.id,
            'WEBHOOK-TIMESTAMP': [String(vector.timestamp)],
            'webhook-signature': ['v1,AAAA', vector.signature],
          },
        }),
      ).id,
    ).toBe(vector.id);
  });

  it('accepts any matching v1 entry among several, skipping other versions and junk', () => {
    const signature = `v1a,${'A'.repeat(86)}== v1,${'B'.repeat(43)}= junk v1,!!! ${vector.signature}`;
    expect(() => verifyWebhook(vectorOptions({ headers: { ...vectorOptions().headers, 'webhook-signature': signature } }))).not.toThrow();
  });

  it('supports secret rotation: a delivery signed with old and new secrets verifies with either', () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    const base = { id: 'msg_rotate', timestamp: vector.timestamp, payload: '{}' };
    const signature = [oldSecret, newSecret]
      .map((secret) => signWebhook({ ...base, secret })['webhook-signature'])
      .join(' ');
    const headers = { 'webhook-id': base.id, 'webhook-timestamp': String(base.timestamp), 'webhook-signature': signature };
    for (const secret of [oldSecret, newSecret]) {
      expect(verifyWebhook({ headers, payload: '{}', secret, now: atVectorTime }).id).toBe('msg_rotate');
    }
    expectCode(
      () => verifyWebhook({ headers, payload: '{}', secret: generateWebhookSecret(), now: atVectorTime }),
      'WEBHOOK_SIGNATURE_INVALID',
    );
  });

  describe('WEBHOOK_SIGNATURE_INVALID', () => {
    it('when the payload was changed', () => {
      const error = expectCode(
        () => verifyWebhook(vectorOptions({ payload: '{"test": 2432232315}' })),
        'WEBHOOK_SIGNATURE_INVALID',
      );
      expect(error.message).toMatch(/raw body/);
    });

    it('when the payload was re-serialised (whitespace differs)', () => {
      const reserialised = JSON.stringify(JSON.parse(vector.payload));
      expectCode(() => verifyWebhook(vectorOptions({ payload: reserialised })), 'WEBHOOK_SIGNATURE_INVALID');
    });

    it('when the id was changed', () => {
      expectCode(
        () => verifyWebhook(vectorOptions({ headers: { ...vectorOptions().headers, 'webhook-id': 'msg_other' } })),
        'WEBHOOK_SIGNATURE_INVALID',
      );
    });

    it('when the secret is different', () => {
      expectCode(() => verifyWebhook(vectorOptions({ secret: generateWebhookSecret() })), 'WEBHOOK_SIGNATURE_INVALID');
    });

    it.each([
      ['only a non-v1 version', vector.signature.replace('v1,', 'v2,')],
      ['no version prefix', vector.signature.slice(3)],
      ['a truncated signature', vector.signature.slice(0, -4)],
    ])('when the header has %s', (_case, signature) => {
      expectCode(
        () => verifyWebhook(vectorOptions({ headers: { ...vectorOptions().headers, 'webhook-signature': signature } })),
        'WEBHOOK_SIGNATURE_INVALID',
      );
    });
  });

  describe('WEBHOOK_TIMESTAMP_OUT_OF_RANGE', () => {
    it('accepts exactly the default 300 s either way and rejects 301 s', () => {
      for (const offset of [-300, 300]) {
        expect(() => verifyWebhook(vectorOptions({ now: () => (vector.timestamp + offset) * 1000 }))).not.toThrow();
      }
      for (const offset of [-301, 301]) {
        expectCode(
          () => verifyWebhook(vectorOptions({ now: () => (vector.timestamp + offset) * 1000 })),
          'WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
        );
      }
    });

    it('honours a custom tolerance', () => {
      const now = (): number => (vector.timestamp + 60) * 1000;
      expect(() => verifyWebhook(vectorOptions({ now, toleranceSeconds: 60 }))).not.toThrow();
      const error = expectCode(
        () => verifyWebhook(vectorOptions({ now, toleranceSeconds: 59 })),
        'WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
      );
      expect(error.message).toContain('60 s from now, beyond the 59 s tolerance');
    });

    it('checks the clock with the real time by default', () => {
      expectCode(() => verifyWebhook(vectorOptions({ now: undefined })), 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE');
    });
  });

  describe('WEBHOOK_MISSING_HEADER', () => {
    it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('when %s is absent', (name) => {
      const headers = Object.fromEntries(
        Object.entries(vectorOptions().headers).filter(([key]) => key !== name),
      );
      const error = expectCode(() => verifyWebhook(vectorOptions({ headers })), 'WEBHOOK_MISSING_HEADER');
      expect(error.message).toContain(`"${name}"`);
    });

    it('when a header is empty, or missing from a Headers object', () => {
      expectCode(
        () => verifyWebhook(vectorOptions({ headers: { ...vectorOptions().headers, 'webhook-signature': ' ' } })),
        'WEBHOOK_MISSING_HEADER',
      );
      expectCode(() => verifyWebhook(vectorOptions({ headers: new Headers() })), 'WEBHOOK_MISSING_HEADER');
    });
  });

  describe('WEBHOOK_INVALID_HEADER', () => {
    it.each(['soon', '1614265330.5', '-1614265330', '161426533000000'])('when the timestamp is %s', (timestamp) => {
      expectCode(
        () => verifyWebhook(vectorOptions({ headers: { ...vectorOptions().headers, 'webhook-timestamp': timestamp } })),
        'WEBHOOK_INVALID_HEADER',
      );
    });

    it('when the id appears twice', () => {
      expectCode(
        () =>
          verifyWebhook(
            vectorOptions({ headers: { ...vectorOptions().headers, 'webhook-id': [vector.id, 'msg_other'] } }),
          ),
        'WEBHOOK_INVALID_HEADER',
      );
    });
  });

  describe('WEBHOOK_INVALID_SECRET', () => {
    it.each([
      ['no whsec_ prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
      ['not base64', 'whsec_not base64!'],
      ['unpadded base64', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS'],
      ['too short a key', `whsec_${Buffer.alloc(16).toString('base64')}`],
      ['too long a key', `whsec_${Buffer.alloc(65).toString('base64')}`],
      ['an empty key', 'whsec_'],
    ])('when the secret has %s', (_case, secret) => {
      expectCode(() => verifyWebhook(vectorOptions({ secret })), 'WEBHOOK_INVALID_SECRET');
      expectCode(() => signWebhook({ id: 'msg_1', timestamp: 1, payload: '', secret }), 'WEBHOOK_INVALID_SECRET');
      expect(isWebhookSecret(secret)).toBe(false);
    });

    it('isWebhookSecret takes what signWebhook takes, from either entry', async () => {
      const secret = generateWebhookSecret();
      expect(isWebhookSecret(secret)).toBe(true);
      expect(isWebhookSecret(`whsec_${Buffer.alloc(24).toString('base64')}`)).toBe(true);
      expect(isWebhookSecret(undefined)).toBe(false);
      const entry = await import('../src/secret-entry.js');
      expect(entry.isWebhookSecret(secret)).toBe(true);
      expect(isWebhookSecret(entry.generateWebhookSecret())).toBe(true);
    });
  });

  describe('WEBHOOK_INVALID_OPTIONS', () => {
    it.each([
      ['a negative tolerance', { toleranceSeconds: -1 }],
      ['a non-finite tolerance', { toleranceSeconds: Number.POSITIVE_INFINITY }],
      ['a clock that is not a function', { now: 5 }],
      ['a parsed payload', { payload: { test: 2432232314 } }],
      ['no headers', { headers: null }],
    ])('when given %s', (_case, override) => {
      expectCode(() => verifyWebhook(vectorOptions(override as never)), 'WEBHOOK_INVALID_OPTIONS');
    });
  });
});

describe('WebhookError', () => {
  it('preserves cause and recognises foreign copies by brand', () => {
    const cause = new Error('root');
    const error = new WebhookError('WEBHOOK_SIGNATURE_INVALID', 'bad', { cause });
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
    const foreign = new Error('x');
    Object.defineProperty(foreign, Symbol.for('@claude-code-mcp/webhooks:WebhookError'), { value: true });
    expect(WebhookError.isInstance(foreign)).toBe(true);
    expect(WebhookError.isInstance(new Error('x'))).toBe(false);
  });
});
