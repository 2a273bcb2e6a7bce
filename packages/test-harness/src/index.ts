/**
 * `@claude-code-mcp/test-harness`: a scriptable mock of the Anthropic Messages API and a sandbox
 * for running the real Claude Code CLI against it.
 *
 * @example
 * import { createMockAnthropicServer, createCliSandbox, runClaude, text } from '@claude-code-mcp/test-harness';
 *
 * const server = await createMockAnthropicServer();
 * const sandbox = await createCliSandbox({ mock: server });
 * server.script(text('Hello!'));
 * const run = await runClaude(sandbox, { args: ['-p', '--output-format', 'stream-json', '--verbose'], stdin: 'hi' });
 * await sandbox.cleanup();
 * await server.close();
 *
 * @packageDocumentation
 */

export {
  createMockAnthropicServer,
  DEFAULT_AUXILIARY_TEXT,
  DEFAULT_FALLBACK_TEXT,
  type ClassifyInput,
  type MockAnthropicServer,
  type MockAnthropicServerOptions,
} from './mock-anthropic-server.js';

export {
  apiError,
  ERROR_TYPES,
  matchesRequest,
  randomId,
  redactedThinking,
  text,
  thinking,
  toolUse,
  toScriptedTurn,
  turn,
  type ApiErrorOptions,
  type BaseTurnOptions,
  type ErrorTurn,
  type MessageTurn,
  type MockContentBlock,
  type MockRedactedThinkingBlock,
  type MockTextBlock,
  type MockThinkingBlock,
  type MockToolUseBlock,
  type MockUsage,
  type RecordedRequest,
  type ScriptedTurn,
  type ScriptInput,
  type SentContentBlock,
  type StopReason,
  type TurnMatcher,
  type TurnMatchSpec,
  type TurnOptions,
} from './mock-turns.js';

export {
  BILLING_HEADER_PREFIX,
  classifyRequest,
  COMPACT_MARKER,
  getLastUserMessage,
  getLastUserTexts,
  getMessages,
  getSystemTexts,
  getToolResults,
  MAIN_LOOP_KINDS,
  SUGGESTION_MARKER,
  TITLE_MARKER,
  type RequestContentBlock,
  type RequestKind,
  type RequestMessage,
  type ToolResultInfo,
} from './request-inspect.js';

export {
  CLAUDE_CODE_PACKAGE,
  claudePlatformPackage,
  createCliSandbox,
  isProcessAlive,
  resolveTestClaudeBinary,
  runClaude,
  SANDBOX_API_KEY,
  type CliSandbox,
  type CliSandboxOptions,
  type RunClaudeOptions,
  type RunClaudeResult,
} from './cli-sandbox.js';

export { createServerFixture, type ServerFixture } from './server-fixture.js';
export { commandLine, descendantPids, waitForDescendant } from './process-tree.js';
export { httpRawDispatch, stdioRawDispatch, tasksPort, type RawDispatch, type RawResponse, type RawTasksPort } from './raw-dispatch.js';

export { startIdentityProvider, type IdentityProvider, type IdentityProviderClient, type IdentityProviderOptions } from './identity-provider.js';

export { lintPrometheusText, parsePrometheusText, type PrometheusFamily, type PrometheusSample } from './prometheus-text.js';

export { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from './webhook-receiver.js';
export { freePort, waitFor } from './polling.js';
