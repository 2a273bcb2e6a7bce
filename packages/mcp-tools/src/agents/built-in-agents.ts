// The subagents built into Claude Code, as the CLI reports them.
import type { AgentInfo } from './list-agents.js';

/** Tools the read-only built-ins (Explore, Plan) may not use. */
const READ_ONLY_DISALLOWED = Object.freeze([
  'Agent',
  'Artifact',
  'ArtifactComments',
  'ArtifactData',
  'ArtifactCheck',
  'ExitPlanMode',
  'Edit',
  'Write',
  'NotebookEdit',
]);

/**
 * The built-in subagents of Claude Code 2.1.332, exactly the ones it lists in `system/init.agents`
 * with no agent files around. Names, descriptions and models come from the `initialize` control
 * response; tools from the agent list the CLI writes into its system prompt. A later CLI may add,
 * drop or reword some.
 *
 * @example
 * ```ts
 * BUILT_IN_AGENTS.map((agent) => agent.name); // ['claude', 'Explore', 'general-purpose', 'Plan', 'statusline-setup']
 * ```
 */
export const BUILT_IN_AGENTS: readonly Readonly<AgentInfo>[] = Object.freeze([
  {
    name: 'claude',
    description:
      "Catch-all for any task that doesn't fit a more specific agent. FleetView's default when no agent name is typed.",
    tools: null,
    model: null,
    source: 'built-in',
    path: null,
  },
  {
    name: 'Explore',
    description:
      'Fast read-only search agent for locating code. Use it to find files by pattern (eg. "src/components/**/*.tsx"), ' +
      'grep for symbols or keywords (eg. "API endpoints"), or answer "where is X defined / which files reference Y." ' +
      'Do NOT use it for code review, design-doc auditing, cross-file consistency checks, or open-ended analysis — ' +
      'it reads excerpts rather than whole files and will miss content past its read window. When calling, specify ' +
      'search breadth: "quick" for a single targeted lookup, "medium" for moderate exploration, or "very thorough" ' +
      'to search across multiple locations and naming conventions.',
    tools: null,
    disallowedTools: [...READ_ONLY_DISALLOWED],
    model: 'inherit',
    source: 'built-in',
    path: null,
  },
  {
    name: 'general-purpose',
    description:
      'General-purpose agent for researching complex questions, searching for code, and executing multi-step tasks. ' +
      'When you are searching for a keyword or file and are not confident that you will find the right match in the ' +
      'first few tries use this agent to perform the search for you.',
    tools: null,
    model: null,
    source: 'built-in',
    path: null,
  },
  {
    name: 'Plan',
    description:
      'Software architect agent for designing implementation plans. Use this when you need to plan the implementation ' +
      'strategy for a task. Returns step-by-step plans, identifies critical files, and considers architectural trade-offs.',
    tools: null,
    disallowedTools: [...READ_ONLY_DISALLOWED],
    model: 'inherit',
    source: 'built-in',
    path: null,
  },
  {
    name: 'statusline-setup',
    description: "Use this agent to configure the user's Claude Code status line setting.",
    tools: ['Read', 'Edit'],
    model: 'sonnet',
    source: 'built-in',
    path: null,
  },
] satisfies AgentInfo[]);
