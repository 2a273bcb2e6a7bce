// The vitest settings every package shares: where tests live, the node environment, and the JSON
// report whose counts `pnpm test` adds up (scripts/run-tests.mjs). A package passes only what
// differs (time limits for suites that run the real CLI).
import { defineConfig } from 'vitest/config';

/**
 * @param {import('vitest/node').InlineConfig} [overrides]
 * @returns {import('vitest/config').UserConfig}
 */
export function projectConfig(overrides = {}) {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      reporters: ['default', ['json', { outputFile: 'test-report.json' }]],
      ...overrides,
    },
  });
}
