export { McpToolsError } from './errors.js';
export type { McpToolsErrorCode } from './errors.js';
export { resolveWorkingDirectory } from './resolve-working-directory.js';
export type { ResolveWorkingDirectoryOptions } from './resolve-working-directory.js';
export { THINKING_LEVELS, thinkingLevelToEffort } from './thinking-level.js';
export type { EffortLevel, ThinkingLevel } from './thinking-level.js';
