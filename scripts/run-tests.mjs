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

// The OAuth server's sign-in page is tested in Debian's Chromium (packages/oauth-server/test/
// browser.test.ts). A fresh CI machine has none: as root, install it with apt, updating the package
// lists once when they are missing or stale. Without it that test cannot run, and a run that cannot
// test must not pass: stop here.
const chromium = '/usr/bin/chromium';
if (!existsSync(chromium) && process.getuid?.() === 0) {
  process.stdout.write(`${chromium} is missing: installing Debian's chromium for the browser tests (apt-get install chromium)\n`);
  const apt = (args) =>
    spawnSync('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const install = () => apt(['install', '-y', '--no-install-recommends', 'chromium']);
  let installed = install();
  if (installed.status !== 0) {
    apt(['update']);
    installed = install();
  }
  const output = `${installed.stdout ?? ''}${installed.stderr ?? ''}${installed.error ? String(installed.error) : ''}`.trim();
  if (installed.status !== 0) process.stderr.write(`${output.split('\n').slice(-15).join('\n')}\n`);
}
if (!existsSync(chromium)) {
  process.stdout.write(`${chromium} is missing and was not installed (that needs root and apt): install Debian's chromium, then run the tests again. Not running them.\n`);
  process.exit(1);
}

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
