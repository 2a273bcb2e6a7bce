// The nine tools, in the order clients list them. A tool is one module here, named after it.
import { claudeAbort } from './claude-abort.js';
import { claudeAsk } from './claude-ask.js';
import { claudeBackgroundTasks } from './claude-background-tasks.js';
import { claudeCheckpoint } from './claude-checkpoint.js';
import { claudePlan } from './claude-plan.js';
import { claudePluginInstall } from './claude-plugin-install.js';
import { claudePluginList } from './claude-plugin-list.js';
import { claudeResume } from './claude-resume.js';
import { claudeSubagentList } from './claude-subagent-list.js';
import type { ClaudeTool } from './define-tool.js';

/**
 * Every tool, in the order they are registered (and listed).
 *
 * @example
 * ```ts
 * for (const tool of CLAUDE_TOOLS) tool.register(server, kit);
 * ```
 */
export const CLAUDE_TOOLS: readonly ClaudeTool[] = Object.freeze([
  claudeAsk,
  claudePlan,
  claudeResume,
  claudeAbort,
  claudeBackgroundTasks,
  claudeCheckpoint,
  claudeSubagentList,
  claudePluginList,
  claudePluginInstall,
]);

/**
 * Tool names; stable (users' configs and prompts name them).
 *
 * @example
 * ```ts
 * TOOL_NAMES.includes('claude_ask'); // true
 * ```
 */
export const TOOL_NAMES: readonly string[] = Object.freeze(CLAUDE_TOOLS.map((tool) => tool.name));
