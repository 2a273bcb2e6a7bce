// McpServer installs its own tools/call handler (validation, then the tool's callback) and gives
// no hook around it. The task features need one: a call may become a task before the callback
// runs. So the handler is captured as McpServer installs it, through the public
// `setRequestHandler`, and the wrapper is installed in its place.
import type { CallToolResult, InputRequiredResult, McpServer, ServerContext } from '@modelcontextprotocol/server';

/** A `tools/call` request as the handler sees it. */
export interface ToolsCallRequest {
  readonly params: { readonly name: string; readonly arguments?: Record<string, unknown>; readonly task?: unknown; readonly [field: string]: unknown };
}

/**
 * What a `tools/call` handler answers: a tool result, an input-required result, or a task.
 *
 * @example
 * ```ts
 * const answer: ToolsCallAnswer = { content: [{ type: 'text', text: 'done' }] };
 * ```
 */
export type ToolsCallAnswer = CallToolResult | InputRequiredResult | Record<string, unknown>;

/** McpServer's `tools/call` handler, or a wrapper of it. */
export type ToolsCallHandler = (request: ToolsCallRequest, context: ServerContext) => Promise<ToolsCallAnswer>;

/**
 * Wraps the `tools/call` handler McpServer installs on `server`: `wrap` receives it and returns
 * the handler to install instead. Call it before the first tool is registered (registering one
 * installs the handler); it throws if the handler is already installed.
 */
export function interceptToolsCall(server: McpServer, wrap: (delegate: ToolsCallHandler) => ToolsCallHandler): void {
  const lowLevel = server.server;
  lowLevel.assertCanSetRequestHandler('tools/call');
  const install = lowLevel.setRequestHandler.bind(lowLevel) as (method: string, ...rest: unknown[]) => void;
  (lowLevel as { setRequestHandler: (method: string, ...rest: unknown[]) => void }).setRequestHandler = (method, ...rest) => {
    if (method !== 'tools/call' || typeof rest[0] !== 'function') return install(method, ...rest);
    return install('tools/call', wrap(rest[0] as ToolsCallHandler));
  };
}
