// The entry `@claude-code-mcp/mcp-tools/events`: what the tools tell an app as they work, for its
// metrics (and, later, its webhooks): one callback, events named noun.verb, ids a receiver needs,
// never prompts, results or secrets.
/**
 * Who made a call: the OAuth client and subject of its token (both absent without OAuth).
 *
 * @example
 * ```ts
 * const who: EventCaller = { clientId: 'machine-client', subject: 'machine-client' };
 * ```
 */
export interface EventCaller {
  readonly clientId?: string;
  readonly subject?: string;
}

/**
 * An MCP request a server of the service answered.
 *
 * @example
 * ```ts
 * const event: OperationEvent = { type: 'mcp.operation', method: 'tools/list', seconds: 0.002, at: Date.now() };
 * ```
 */
export interface OperationEvent {
  readonly type: 'mcp.operation';
  readonly method: string;
  /** For `tools/call`. */
  readonly tool?: string;
  /** The JSON-RPC error code, or `tool_error` for a tool result with `isError`. */
  readonly errorType?: string;
  readonly protocolVersion?: string;
  readonly seconds: number;
  readonly at: number;
}

/**
 * A tool call started (`tool.called`), answered (`tool.completed`) or answered with an error
 * (`tool.error`, a cancelled run included).
 *
 * @example
 * ```ts
 * const event: ToolCallEvent = { type: 'tool.completed', tool: 'claude_ask', status: 'success', seconds: 12, caller: {}, at: Date.now() };
 * ```
 */
export interface ToolCallEvent {
  readonly type: 'tool.called' | 'tool.completed' | 'tool.error';
  readonly tool: string;
  /** On an answer: `success`, `input_required`, `error` or `cancelled`. */
  readonly status?: 'success' | 'input_required' | 'error' | 'cancelled';
  readonly seconds?: number;
  /** The Claude session the answer names, if any. */
  readonly sessionId?: string;
  readonly caller: EventCaller;
  readonly at: number;
}

/**
 * A Claude Code run ended: a foreground call's turn or a background task.
 *
 * @example
 * ```ts
 * const event: RunEvent = { type: 'run.finished', status: 'completed', model: 'default', seconds: 40, costUsd: 0.02, background: false, caller: {}, at: Date.now() };
 * ```
 */
export interface RunEvent {
  readonly type: 'run.finished';
  readonly status: 'completed' | 'failed' | 'cancelled';
  /** The error's code when it did not complete. */
  readonly errorCode?: string;
  /** The model the call asked for, or `default`. */
  readonly model: string;
  readonly seconds: number;
  /** This run's own cost (a resumed session's earlier turns excluded). */
  readonly costUsd: number;
  readonly usage?: { readonly input: number; readonly output: number; readonly cacheRead: number; readonly cacheCreation: number };
  readonly sessionId?: string;
  readonly taskId?: string;
  readonly background: boolean;
  readonly caller: EventCaller;
  readonly at: number;
}

/**
 * A Claude Code session began (`session.started`: a run made a new session, or forked one), or the
 * Claude Code process that served it ended (`session.ended`: idle, evicted, stopped, or the server
 * stopping; the session stays resumable).
 *
 * @example
 * ```ts
 * const event: SessionEvent = { type: 'session.started', sessionId: 's-1', caller: {}, at: Date.now() };
 * ```
 */
export interface SessionEvent {
  readonly type: 'session.started' | 'session.ended';
  readonly sessionId: string;
  /** For `session.started` from a fork (a restored checkpoint): the session it continues. */
  readonly forkedFrom?: string;
  readonly caller: EventCaller;
  readonly at: number;
}

/**
 * A checkpoint was taken (`checkpoint.created`, by `claude_checkpoint` or before a follow-up turn)
 * or restored (`checkpoint.restored`, with the session a restore forks).
 *
 * @example
 * ```ts
 * const event: CheckpointEvent = { type: 'checkpoint.created', checkpointId: 'c-1', automatic: false, caller: {}, at: Date.now() };
 * ```
 */
export interface CheckpointEvent {
  readonly type: 'checkpoint.created' | 'checkpoint.restored';
  readonly checkpointId: string;
  readonly sessionId?: string;
  readonly automatic?: boolean;
  readonly caller: EventCaller;
  readonly at: number;
}

/**
 * Every event of {@link ToolsEventListener}.
 *
 * @example
 * ```ts
 * const onEvent = (event: ToolsEvent) => { if (event.type === 'run.finished') metrics.run(event); };
 * ```
 */
export type ToolsEvent = OperationEvent | ToolCallEvent | RunEvent | SessionEvent | CheckpointEvent;

/**
 * Told each {@link ToolsEvent} as it happens. It must not throw (a throw is caught and dropped:
 * an observer never fails a call) and should return quickly.
 *
 * @example
 * ```ts
 * const service = await openClaudeToolsService({ ...options, onEvent: (event) => metrics.observe(event) });
 * ```
 */
export type ToolsEventListener = (event: ToolsEvent) => void;
