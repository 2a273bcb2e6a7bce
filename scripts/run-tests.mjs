#!/usr/bin/env node
// `pnpm test`: build, typecheck, lint, package checks and every package's tests through turbo,
// then one line of totals read from each package's vitest JSON report.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const packageFolders = ['packages', 'apps'].flatMap((group) =>
  existsSync(join(root, group)) ? readdirSync(join(root, group)).map((name) => join(root, group, name)) : [],
);
// A report left from an earlier run must not be counted; turbo restores it from cache when the
// task is cached.
for (const folder of packageFolders) rmSync(join(folder, 'test-report.json'), { force: true });

const runTurbo = (args) =>
  spawnSync('pnpm', ['exec', 'turbo', 'run', ...args, '--output-logs=errors-only', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
// Checks first, in parallel. Then the tests one package at a time: several packages' suites run
// the real Claude Code binary, and four of them at once on a two-core machine made timing-bound
// tests (a 4 s run timeout, a signal sent mid-stream) fail for want of CPU. `--continue` keeps
// one failing package from hiding the others' results.
const checks = runTurbo(['build', 'typecheck', 'lint', 'check:package']);
const tests = runTurbo(['test', '--concurrency=1', '--continue']);
const turbo = { status: checks.status === 0 ? tests.status : (checks.status ?? 1) };

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const folder of packageFolders) {
  const reportPath = join(folder, 'test-report.json');
  if (!existsSync(join(folder, 'vitest.config.ts'))) continue;
  if (!existsSync(reportPath)) {
    missing.push(folder.slice(root.length + 1));
    continue;
  }
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed += report.numPassedTests;
  // A file that fails outside any test (a failing beforeAll) has its tests counted as skipped:
  // count the file itself. (numFailedTestSuites also counts each describe around a failed test.)
  const failedOutsideTests = report.testResults.filter((file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed')).length;
  failed += report.numFailedTests + failedOutsideTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
if (missing.length > 0) process.stdout.write(`no test report from: ${missing.join(', ')}\n`);
process.stdout.write(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(turbo.status ?? 1);
