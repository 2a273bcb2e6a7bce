// What a run asks of Claude Code. The CLI flags a tool may set are named once, in RUN_FLAGS, and
// typed from the driver's RunOptions: the request, the warm-process fingerprint and the options
// given to the driver all follow that list, so a new flag is the driver's option plus this name.
import type { RunOptions } from '@claude-code-mcp/claude-cli-driver';

import type { Priority } from './run-limiter.js';

/**
 * The driver options a run may set, in the order they enter the warm-process fingerprint.
 *
 * @example
 * ```ts
 * const flags = RUN_FLAGS.filter((flag) => request[flag] !== undefined);
 * ```
 */
export const RUN_FLAGS = Object.freeze([
  'model',
  'agent',
  'effort',
  'allowedTools',
  'disallowedTools',
  'tools',
  'permissionMode',
  'maxTurns',
  'maxBudgetUsd',
  'jsonSchema',
  'appendSystemPrompt',
  'settings',
  'includeHookEvents',
] as const satisfies readonly (keyof RunOptions)[]);

/** One of {@link RUN_FLAGS}. */
export type RunFlag = (typeof RUN_FLAGS)[number];

type ReadonlyList<T> = T extends (infer Item)[] ? readonly Item[] : T;

/**
 * What one run asks of Claude Code, after the tool layer validated it.
 *
 * @example
 * ```ts
 * const request: RunRequest = { prompt: 'Fix the failing test', cwd: '/repo', allowedTools: ['Read', 'Edit'] };
 * ```
 */
export type RunRequest = { readonly [Flag in RunFlag]?: ReadonlyList<RunOptions[Flag]> | undefined } & {
  readonly prompt: string;
  /** Continue this session; without it a new session starts. */
  readonly sessionId?: string | undefined;
  /** Absolute, already checked against the roots. */
  readonly cwd: string;
  readonly priority?: Priority | undefined;
};

// `--max-budget-usd` counts everything the process has spent, so a budgeted run never reuses one.
let budgetNonce = 0;

/** The flags a process was started with; a follow-up with other flags needs a new process. */
export function fingerprintOf(request: RunRequest): string {
  const budget = request.maxBudgetUsd === undefined ? null : `budget-${++budgetNonce}`;
  return JSON.stringify([budget, request.cwd, ...RUN_FLAGS.map((flag) => request[flag] ?? null)]);
}

/**
 * The request's flags as driver options: unset (or empty, zero, `false`) ones left out, and so
 * are empty rule lists (an empty `tools` list stays: it means no built-in tools).
 */
export function driverOptionsOf(request: RunRequest): Partial<RunOptions> {
  const options: Record<string, unknown> = {};
  for (const flag of RUN_FLAGS) {
    const value = request[flag];
    if (!value) continue;
    if (Array.isArray(value)) {
      if (value.length === 0 && flag !== 'tools') continue;
      options[flag] = [...(value as readonly unknown[])];
    } else {
      options[flag] = value;
    }
  }
  return options;
}
