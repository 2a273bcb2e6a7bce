import { isInputRequiredResult, type CallToolResult, type InputRequiredResult, type McpServer, type RegisteredTool, type ServerContext, type ToolAnnotations } from '@modelcontextprotocol/server';
import type * as z from 'zod';

import { McpToolsError } from '../errors.js';
import { emitTo, eventCallerOf } from '../emit-event.js';
import type { ToolCallEvent } from '../events.js';
import { withoutDialect } from '../schema-dialect.js';
import { toolError } from './run-results.js';
import type { ToolKit } from './tool-kit.js';
import { missingScope, scopeChallengeFor, type ToolScope } from './tool-scopes.js';

/**
 * What a tool handler answers: a result, or (2026-07-28) an input-required result that asks the
 * client something and is retried with the answer.
 *
 * @example
 * ```ts
 * const answer: ToolResult = { content: [{ type: 'text', text: 'done' }] };
 * ```
 */
export type ToolResult = CallToolResult | InputRequiredResult;

/**
 * Everything one tool is: its name, what clients are told, its argument and result schemas, and
 * the handler, which gets the parsed arguments, the request's context and the shared {@link ToolKit}.
 *
 * @example
 * ```ts
 * const claudeAbort = defineTool({ name: 'claude_abort', title: 'Abort', description: '…', inputSchema, annotations, handler });
 * ```
 */
export interface ToolDefinition<Input extends z.ZodObject> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: Input;
  readonly outputSchema?: z.ZodObject;
  readonly annotations: ToolAnnotations;
  /** The OAuth scope a call needs (checked only when the call carries an access token). */
  readonly scope: ToolScope;
  readonly handler: (args: z.output<Input>, context: ServerContext, kit: ToolKit) => ToolResult | Promise<ToolResult>;
}

/**
 * A tool ready to register: its name and a `register` that adds it to a server with a kit.
 *
 * @example
 * ```ts
 * for (const tool of CLAUDE_TOOLS) tool.register(server, kit);
 * ```
 */
export interface ClaudeTool {
  readonly name: string;
  readonly definition: ToolDefinition<z.ZodObject>;
  register(server: McpServer, kit: ToolKit): RegisteredTool;
}

/**
 * Declares a tool. The schemas are advertised without a `$schema` dialect (some clients reject
 * one); validation stays zod's.
 *
 * @example
 * ```ts
 * export const claudeAbort = defineTool({ name: 'claude_abort', … });
 * ```
 */
export function defineTool<Input extends z.ZodObject>(definition: ToolDefinition<Input>): ClaudeTool {
  const { name, title, description, outputSchema, annotations, handler, scope } = definition;
  // Registered through the general object type: the SDK's callback type cannot be resolved for a
  // generic schema. The handler still gets exactly what `inputSchema` parses to.
  const inputSchema: z.ZodObject = withoutDialect(definition.inputSchema);
  // Once per tool, not per server: the conversion to JSON Schema is kept with the schema.
  const advertisedOutput = outputSchema ? withoutDialect(outputSchema) : undefined;
  return Object.freeze({
    name,
    definition,
    register: (server: McpServer, kit: ToolKit) =>
      server.registerTool(
        name,
        { title, description, inputSchema, ...(advertisedOutput ? { outputSchema: advertisedOutput } : {}), annotations, scopeChallenge: scopeChallengeFor(name, scope) },
        async (args, context) => {
          const caller = eventCallerOf(context.http?.authInfo);
          const started = performance.now();
          emitTo(kit.options.onEvent, { type: 'tool.called', tool: name, caller, at: Date.now() });
          const answered = (outcome: Pick<ToolCallEvent, 'type' | 'status' | 'sessionId'>) =>
            emitTo(kit.options.onEvent, { ...outcome, tool: name, seconds: (performance.now() - started) / 1000, caller, at: Date.now() });
          const needed = missingScope(scope, args, context.http?.authInfo);
          let result: ToolResult;
          try {
            result = needed === undefined ? await handler(args as z.output<Input>, context, kit) : toolError(new McpToolsError('MCP_TOOLS_INSUFFICIENT_SCOPE', `${name} needs the ${needed} scope; authorize again asking for it.`), null);
          } catch (error) {
            // The SDK answers a throw with an error result: counted as one.
            answered({ type: 'tool.error', status: 'error' });
            throw error;
          }
          answered(answerOf(result));
          return result;
        },
      ),
  });
}

// A tool's answer as an event: its type, status and the session it names.
function answerOf(result: ToolResult): Pick<ToolCallEvent, 'type' | 'status' | 'sessionId'> {
  if (isInputRequiredResult(result)) return { type: 'tool.completed', status: 'input_required' };
  const output = result.structuredContent as { status?: unknown; sessionId?: unknown } | undefined;
  const sessionId = typeof output?.sessionId === 'string' ? { sessionId: output.sessionId } : {};
  if (result.isError !== true) return { type: 'tool.completed', status: 'success', ...sessionId };
  return { type: 'tool.error', status: output?.status === 'cancelled' ? 'cancelled' : 'error', ...sessionId };
}
