/**
 * `@claude-code-mcp/mcp-tools/tasks-extension`: MCP tasks on protocol 2026-07-28, the
 * `io.modelcontextprotocol/tasks` extension, for any McpServer. The Claude Code tools use it for
 * `claude_ask` (`createClaudeToolsServer({ tasksExtension: true })`); other tools on the same
 * server can offer tasks of their own through {@link tasksExtensionOf}.
 *
 * @packageDocumentation
 */
export { TASKS_EXTENSION_ID, declaresTasksExtension, enableTasksExtension, tasksExtensionOf } from './tasks-extension.js';
export type { ExtensionTask, ExtensionTaskSource, StartTask, StartedTask, TaskTool, TasksExtension, TasksExtensionOptions, ToolCallParams } from './tasks-extension.js';
export type { ToolsCallAnswer } from '../tools-call-interceptor.js';
