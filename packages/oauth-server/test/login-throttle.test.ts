// The sign-in throttle on an injected clock: guesses counted before they are checked, a name not
// lockable from one address, IPv6 clients by /64, locks kept when the map is full.
import { describe, expect, it } from 'vitest';

import { loginThrottle } from '../src/index.js';

describe('loginThrottle', () => {
  it('counts an attempt before its check: the sixth at once is refused, whatever the first five turn out to be', () => {
    const throttle = loginThrottle({ now: () => 0 });
    const begun = Array.from({ length: 8 }, () => throttle.begin('admin', '203.0.113.9'));
    expect(begun.filter((wait) => wait === 0)).toHaveLength(5);
    expect(begun.slice(5).every((wait) => wait > 0)).toBe(true);
  });

  it('does not let one address lock a name out of everywhere; the name locks after many failures from many', () => {
    let clock = 0;
    const throttle = loginThrottle({ now: () => clock });
    for (let attempt = 0; attempt < 5; attempt += 1) throttle.begin('admin', '203.0.113.9');
    expect(throttle.begin('admin', '203.0.113.9')).toBeGreaterThan(0);
    // The owner, from elsewhere, signs in.
    expect(throttle.begin('admin', '198.51.100.7')).toBe(0);
    throttle.succeeded('admin', '198.51.100.7');
    for (let index = 0; index < 120; index += 1) throttle.begin('admin', `192.0.2.${index % 100}`);
    expect(throttle.begin('admin', '198.51.100.8')).toBeGreaterThan(0);
    clock += 15 * 60_000;
    expect(throttle.begin('admin', '198.51.100.8')).toBe(0);
  });

  it('counts an IPv6 client by its /64 and a mapped IPv4 by its IPv4', () => {
    const throttle = loginThrottle({ now: () => 0, perAddress: 3, perUsername: 100 });
    throttle.begin('a', '2001:db8:1:2::1');
    throttle.begin('b', '2001:db8:1:2:ffff::9');
    throttle.begin('c', '2001:0db8:0001:0002:0:0:0:42');
    expect(throttle.begin('d', '2001:db8:1:2::77')).toBeGreaterThan(0);
    expect(throttle.begin('d', '2001:db8:1:3::1')).toBe(0);
    for (const name of ['e', 'f', 'g']) throttle.begin(name, '::ffff:192.0.2.1');
    expect(throttle.begin('h', '192.0.2.1')).toBeGreaterThan(0);
  });

  it('keeps its locks when full: entries that lock nothing go first', () => {
    const throttle = loginThrottle({ now: () => 0, maxEntries: 50 });
    for (let attempt = 0; attempt < 5; attempt += 1) throttle.begin('admin', '203.0.113.9');
    for (let index = 0; index < 200; index += 1) throttle.begin(`user-${index}`, `198.51.100.${index % 250}`);
    expect(throttle.begin('admin', '203.0.113.9')).toBeGreaterThan(0);
  });
});
