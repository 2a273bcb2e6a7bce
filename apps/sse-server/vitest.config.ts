import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    // The JSON report feeds the totals that `pnpm test` prints at the end (scripts/run-tests.mjs).
    reporters: ['default', ['json', { outputFile: 'test-report.json' }]],
    // Integration tests start the built server, which runs the real Claude Code CLI.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
