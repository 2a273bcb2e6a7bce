// Runs the pinned conformance suite against a server URL for one requirement set and baseline.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const SUITE = join(dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');
const BASELINES = fileURLToPath(new URL('./', import.meta.url));

/** What a run printed, its exit code, and the lines that say what went wrong. */
export interface SuiteRun {
  readonly code: number | null;
  readonly output: string;
  readonly summary: string;
}

/**
 * `conformance server --url <url> --requirements <revision> --expected-failures <baseline>`, the
 * baseline a file of this folder.
 *
 * @example
 * const run = await runConformance(new URL('/mcp', origin).href, '2026-07-28', 'expected-failures-2026-07-28.yaml');
 * expect(run.code, run.summary).toBe(0);
 */
export function runConformance(url: string, revision: string, baseline: string): Promise<SuiteRun> {
  return runSuite(['server', '--url', url, '--requirements', revision, '--expected-failures', join(BASELINES, baseline)]);
}

function runSuite(args: readonly string[]): Promise<SuiteRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SUITE, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      const lines = output.split('\n').filter((line) => /^(Total|✗|Unexpected|Stale|Expected)|regress|stale/i.test(line));
      resolve({ code, output, summary: lines.join('\n') || output.slice(-3000) });
    });
  });
}

/**
 * The scenarios of the tasks extension (SEP-2663). The requirement sets run them "for visibility"
 * only (never scored, so a baseline cannot hold them), so each is run on its own: the suite exits 1
 * when one of its checks fails.
 */
export const TASKS_SCENARIOS: readonly string[] = Object.freeze([
  'tasks-lifecycle',
  'tasks-capability-negotiation',
  'tasks-wire-fields',
  'tasks-request-state-removal',
  'tasks-mrtr-input',
  'tasks-request-headers',
  'tasks-dispatch-and-envelope',
  'tasks-status-notifications',
  'tasks-required-task-error',
  'tasks-mrtr-composition',
]);

/**
 * `conformance server --url <url> --scenario <name>`: one scenario, on its own protocol revision.
 *
 * @example
 * const run = await runScenario(new URL('/mcp', origin).href, 'tasks-lifecycle');
 * expect(run.code, run.output).toBe(0);
 */
export function runScenario(url: string, scenario: string): Promise<SuiteRun> {
  return runSuite(['server', '--url', url, '--scenario', scenario]);
}
