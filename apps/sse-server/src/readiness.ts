// `/ready`: whether this server can do its work now — the Claude Code binary answers, the data
// folder takes a write, the database answers, the authorization server's signing keys load. Each
// check is bounded in time; the binary's answer is remembered for a while (a probe every few
// seconds must not start a process each time).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { resolveClaudeBinary } from '@claude-code-mcp/claude-cli-driver';

/** One check's outcome: `ok`, or `failed: <code>` (the error's code only; the detail is logged). */
export type CheckOutcome = 'ok' | `failed: ${string}`;

/**
 * What `/ready` answers.
 *
 * @example
 * ```ts
 * const report: ReadinessReport = { ready: true, checks: { claude: 'ok', dataDir: 'ok', database: 'ok' } };
 * ```
 */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, CheckOutcome>>;
}

/** Options of {@link readinessChecks}. */
export interface ReadinessOptions {
  /** The configured executable; otherwise found as the driver finds it (CLAUDE_CODE_PATH, PATH, the npm package). */
  readonly claudeExecutable?: string | undefined;
  /** The environment it is looked up in. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly dataDir: string;
  /** A cheap read of the state database. */
  readonly database: () => Promise<unknown>;
  /** Loads the authorization server's signing key (only with the built-in authorization server). */
  readonly keys?: () => Promise<unknown>;
  /** How long one check may take (default 5 s). */
  readonly timeoutMs?: number;
  /** How long the binary's answer is remembered (default 30 s). */
  readonly binaryCacheMs?: number;
  /** How long a whole report is reused: probes that come together share one round of checks (default 1 s). */
  readonly reportCacheMs?: number;
  /** Where a check that starts failing is reported, with its detail (which `/ready` does not show). */
  readonly logger?: { warn(details: Record<string, unknown>, message: string): void; info(details: Record<string, unknown>, message: string): void };
  readonly now?: () => number;
}

// What /ready shows of a failure: its code, never its message (paths, versions, install hints).
const codeOf = (error: unknown) => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[\w-]{1,40}$/.test(code) ? code : 'error';
};

class CheckTimeout extends Error {
  readonly code = 'TIMEOUT';
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

const execFileAsync = promisify(execFile);
const versionOf = async (executable: string, timeoutMs: number) => (await execFileAsync(executable, ['--version'], { timeout: timeoutMs, maxBuffer: 64 * 1024 })).stdout.trim();

/**
 * The checks behind `/ready`.
 *
 * @example
 * ```ts
 * const readiness = readinessChecks({ claudeExecutable, env: process.env, dataDir, database: () => store.sessions.get('ready') });
 * const { ready, checks } = await readiness.check();
 * ```
 */
export function readinessChecks(options: ReadinessOptions): { check(): Promise<ReadinessReport> } {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const cacheMs = options.binaryCacheMs ?? 30_000;
  const now = options.now ?? Date.now;
  let binary: { outcome: Promise<CheckOutcome>; at: number } | undefined;
  let report: { done: Promise<ReadinessReport>; at: number } | undefined;
  const failing = new Set<string>();
  const run = (what: string, work: () => Promise<unknown>): Promise<CheckOutcome> =>
    withTimeout(Promise.resolve().then(work), timeoutMs, what).then(
      () => {
        if (failing.delete(what)) options.logger?.info({ check: what }, 'a readiness check passes again');
        return 'ok' as const;
      },
      (error: unknown) => {
        if (!failing.has(what)) options.logger?.warn({ check: what, err: error }, 'a readiness check fails');
        failing.add(what);
        return `failed: ${codeOf(error)}` as const;
      },
    );
  // A good answer is remembered; a failure is tried again at the next probe.
  const claude = () => {
    if (binary === undefined || now() - binary.at >= cacheMs) {
      const outcome = run('claude --version', () => {
        const { path } = resolveClaudeBinary({ ...(options.claudeExecutable === undefined ? {} : { executable: options.claudeExecutable }), env: { ...options.env } });
        return versionOf(path, timeoutMs);
      });
      const entry = { outcome, at: now() };
      binary = entry;
      void outcome.then((result) => {
        if (result !== 'ok' && binary === entry) binary = undefined;
      });
    }
    return binary.outcome;
  };
  const dataDir = () =>
    run('the data folder', async () => {
      const probe = join(options.dataDir, `.ready-${process.pid}-${randomUUID()}`);
      await writeFile(probe, 'ready\n', { mode: 0o600 });
      await unlink(probe);
    });
  const checkAll = async (): Promise<ReadinessReport> => {
    const entries = await Promise.all([
      ['claude', claude()] as const,
      ['dataDir', dataDir()] as const,
      ['database', run('the database', options.database)] as const,
      ...(options.keys ? [['signingKeys', run('the signing keys', options.keys)] as const] : []),
    ].map(async ([name, outcome]) => [name, await outcome] as const));
    const checks = Object.fromEntries(entries);
    return { ready: entries.every(([, outcome]) => outcome === 'ok'), checks };
  };
  const reuseMs = options.reportCacheMs ?? 1_000;
  return {
    check() {
      if (report === undefined || now() - report.at >= reuseMs) report = { done: checkAll(), at: now() };
      return report.done;
    },
  };
}
