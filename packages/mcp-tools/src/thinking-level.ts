import { McpToolsError } from './errors.js';

/**
 * The thinking levels a tool caller may ask for, from least to most effort. The names follow the
 * prompt keywords people know ("think", "think hard", "think harder", "ultrathink").
 *
 * @example
 * ```ts
 * const inputSchema = { thinking: z.enum(THINKING_LEVELS).optional() };
 * ```
 */
export const THINKING_LEVELS: readonly ['think', 'think-hard', 'think-harder', 'ultrathink'] = Object.freeze([
  'think',
  'think-hard',
  'think-harder',
  'ultrathink',
] as const);

/**
 * One of {@link THINKING_LEVELS}.
 *
 * @example
 * ```ts
 * const level: ThinkingLevel = 'think-hard';
 * ```
 */
export type ThinkingLevel = (typeof THINKING_LEVELS)[number];

/**
 * A value of the Claude Code CLI's `--effort` flag (sent to the API as `output_config.effort`;
 * the CLI's default is `medium`).
 *
 * @example
 * ```ts
 * const argv = ['--effort', effort satisfies EffortLevel];
 * ```
 */
export type EffortLevel = 'low' | 'medium' | 'high' | 'xhigh' | 'max';

const effortByLevel: Readonly<Record<ThinkingLevel, EffortLevel>> = Object.freeze({
  think: 'medium',
  'think-hard': 'high',
  'think-harder': 'xhigh',
  ultrathink: 'max',
});

/**
 * Maps a thinking level to the CLI's `--effort` value:
 *
 * | level | `--effort` |
 * | --- | --- |
 * | `think` | `medium` (the CLI's default) |
 * | `think-hard` | `high` |
 * | `think-harder` | `xhigh` |
 * | `ultrathink` | `max` |
 *
 * Why a flag and not the words: in Claude Code 2.1.332 the prompt keywords no longer raise effort
 * (only "ultrathink" does, to `xhigh`, and only while `system/init.ultrathink_available` is true),
 * so the wrapper passes `--effort` explicitly. `low` is not reachable from a thinking level: asking
 * to think never lowers effort below the default.
 *
 * @throws {@link McpToolsError} `MCP_TOOLS_INVALID_ARGUMENTS` when `level` is not one of
 * {@link THINKING_LEVELS}.
 *
 * @example
 * ```ts
 * thinkingLevelToEffort('think-hard'); // 'high'
 * const argv = ['--effort', thinkingLevelToEffort(args.thinking ?? 'think')];
 * ```
 */
export function thinkingLevelToEffort(level: ThinkingLevel): EffortLevel {
  if (typeof level !== 'string' || !Object.hasOwn(effortByLevel, level)) {
    throw new McpToolsError(
      'MCP_TOOLS_INVALID_ARGUMENTS',
      `Unknown thinking level ${JSON.stringify(level)}; use one of ${THINKING_LEVELS.join(', ')}.`,
    );
  }
  return effortByLevel[level];
}
