import { describe, expect, it } from 'vitest';

import { roundUsd } from '../src/usd.js';

describe('roundUsd', () => {
  it('removes floating-point noise from differences and sums of costs', () => {
    expect(0.00058 - 0.0003).not.toBe(0.00028);
    expect(roundUsd(0.00058 - 0.0003)).toBe(0.00028);
    expect(roundUsd(0.1 + 0.2)).toBe(0.3);
  });

  it('keeps amounts down to a billionth of a dollar', () => {
    expect(roundUsd(0.000000001)).toBe(0.000000001);
    expect(roundUsd(12.3456789012)).toBe(12.345678901);
    expect(roundUsd(0)).toBe(0);
  });
});
