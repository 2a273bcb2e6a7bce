// The subagent catalogue; meant to be re-exported by the package entry point.
export { BUILT_IN_AGENTS } from './built-in-agents.js';
export { parseToolList, readFrontmatter } from './frontmatter.js';
export type { Frontmatter } from './frontmatter.js';
export { listAgents, resolveAgentName } from './list-agents.js';
export type { AgentInfo, AgentSource, ListAgentsOptions, PluginDirectory } from './list-agents.js';
