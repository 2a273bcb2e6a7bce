// When Claude Code asks to use a tool that needs approval: the user is asked through MCP
// elicitation when the client can be asked; otherwise the server's policy decides.
import type { CanUseTool, Logger, PermissionResult } from '@claude-code-mcp/claude-cli-driver';
import { CLIENT_CAPABILITIES_META_KEY, type ClientCapabilities, type ElicitRequestFormParams, type McpServer, type ServerContext } from '@modelcontextprotocol/server';

import { envelopeValue } from './request-envelope.js';

/**
 * What to do with a tool call that needs approval when the MCP client cannot be asked.
 *
 * @example
 * ```ts
 * const policy: PermissionPolicy = 'deny'; // background runs refuse what allowedTools does not allow
 * ```
 */
export type PermissionPolicy = 'deny' | 'allow';

/** How the bridge decides: the policy for clients without elicitation, and how long to wait. */
export interface PermissionBridgeOptions {
  readonly policy: PermissionPolicy;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

function clientCapabilities(server: McpServer, context: ServerContext): ClientCapabilities | undefined {
  return (envelopeValue(context, CLIENT_CAPABILITIES_META_KEY) as ClientCapabilities | undefined) ?? server.server.getClientCapabilities();
}

/** The form that asks the user about one tool call: they approve exactly what they see, the whole input. */
export function permissionQuestion(toolName: string, input: Record<string, unknown>): ElicitRequestFormParams {
  return {
    mode: 'form',
    message: `Claude Code wants to use ${toolName} with:\n${JSON.stringify(input, null, 2)}\nAllow it?`,
    requestedSchema: {
      type: 'object',
      properties: {
        decision: {
          type: 'string',
          title: 'Decision',
          enum: ['allow', 'always', 'deny'],
          description: `Allow ${toolName} this once, always (every ${toolName} call for the rest of this run, without asking), or deny it.`,
        },
      },
      required: ['decision'],
    },
  };
}

/**
 * The permission an answer to {@link permissionQuestion} gives (only an accepted `allow` or
 * `always` allows), and whether it covers the rest of the run.
 */
export function permissionFromAnswer(
  toolName: string,
  input: Record<string, unknown>,
  action: string,
  content: unknown,
): { readonly result: PermissionResult; readonly always: boolean } {
  const decision = (content as { decision?: unknown } | undefined)?.decision;
  if (action === 'accept' && (decision === 'allow' || decision === 'always')) {
    return { result: { behavior: 'allow', updatedInput: input }, always: decision === 'always' };
  }
  const message = `The user did not allow ${toolName} (${action}${typeof decision === 'string' ? `: ${decision}` : ''}).`;
  return { result: { behavior: 'deny', message }, always: false };
}

/**
 * The tools the user allowed for the rest of one run ("always"): their later calls are not asked.
 *
 * @example
 * ```ts
 * const allowed = new RunAllowances();
 * if (allowed.covers('Bash')) return { behavior: 'allow', updatedInput: input };
 * ```
 */
export class RunAllowances {
  readonly #tools = new Set<string>();

  covers(toolName: string): boolean {
    return this.#tools.has(toolName);
  }

  /** Records the answer's scope and returns its permission. */
  apply(toolName: string, answer: { readonly result: PermissionResult; readonly always: boolean }): PermissionResult {
    if (answer.always) this.#tools.add(toolName);
    return answer.result;
  }
}

/** What a question that got no answer in time gives: a no, whatever the policy. */
export function unansweredPermission(toolName: string): PermissionResult {
  return { behavior: 'deny', message: `${toolName} was not approved: the permission question got no answer in time.` };
}

/**
 * Whether the client of this request declared form elicitation (per request on 2026-07-28): a
 * bare `elicitation: {}` means form; a client that declared only `url` cannot show the question.
 */
export function canAskTheUser(server: McpServer, context: ServerContext): boolean {
  const elicitation = clientCapabilities(server, context)?.elicitation as Record<string, unknown> | undefined;
  if (typeof elicitation !== 'object' || elicitation === null) return false;
  return elicitation['form'] !== undefined || Object.keys(elicitation).length === 0;
}

async function askTheUser(
  context: ServerContext,
  toolName: string,
  input: Record<string, unknown>,
  signal: AbortSignal,
  options: PermissionBridgeOptions,
  allowances: RunAllowances,
): Promise<PermissionResult> {
  try {
    const answer = await context.mcpReq.elicitInput(permissionQuestion(toolName, input), { timeout: options.timeoutMs, signal });
    options.logger.info({ toolName, action: answer.action }, 'permission answered by the user');
    return allowances.apply(toolName, permissionFromAnswer(toolName, input, answer.action, answer.content));
  } catch (error) {
    // Asked but not answered (timeout, error, cancel): that is a no, whatever the policy.
    options.logger.warn({ err: error, toolName }, 'permission question not answered; denying');
    return unansweredPermission(toolName);
  }
}

/**
 * The permission decider of one tool call.
 *
 * @example
 * ```ts
 * const canUseTool = permissionDecider(server, context, { policy: 'deny', timeoutMs: 120_000, logger });
 * ```
 */
export function permissionDecider(server: McpServer, context: ServerContext, options: PermissionBridgeOptions): CanUseTool {
  const allowances = new RunAllowances();
  return async (toolName, input, { signal }): Promise<PermissionResult> => {
    if (allowances.covers(toolName)) return { behavior: 'allow', updatedInput: input };
    if (canAskTheUser(server, context) && !context.mcpReq.signal.aborted) {
      return askTheUser(context, toolName, input, signal, options, allowances);
    }
    if (options.policy === 'allow') return { behavior: 'allow', updatedInput: input };
    return {
      behavior: 'deny',
      message: `${toolName} needs approval and the MCP client could not be asked, so the server's policy denied it. Allow it up front with allowedTools (e.g. "${toolName}").`,
    };
  };
}
