import { describe, expect, it } from 'vitest';

import { ObservabilityError } from '../src/index.js';

describe('ObservabilityError', () => {
  it('keeps code, name, message and cause', () => {
    const cause = new Error('root cause');
    const error = new ObservabilityError('OBSERVABILITY_INVALID_OPTIONS', 'bad', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ObservabilityError');
    expect(error.code).toBe('OBSERVABILITY_INVALID_OPTIONS');
    expect(error.message).toBe('bad');
    expect(error.cause).toBe(cause);
  });

  it('recognises errors from another copy of the package by brand, not by prototype', () => {
    const foreign = Object.assign(new Error('x'), { code: 'OBSERVABILITY_INVALID_OPTIONS' });
    Object.defineProperty(foreign, Symbol.for('@claude-code-mcp/observability:ObservabilityError'), {
      value: true,
    });
    expect(ObservabilityError.isInstance(foreign)).toBe(true);
    expect(ObservabilityError.isInstance(new Error('plain'))).toBe(false);
    expect(ObservabilityError.isInstance(null)).toBe(false);
    expect(ObservabilityError.isInstance('OBSERVABILITY_INVALID_OPTIONS')).toBe(false);
  });
});
