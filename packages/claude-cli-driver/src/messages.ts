import * as z from 'zod';

// Schemas check only what the driver relies on and keep every other field (`looseObject`), so a
// newer CLI that adds fields still parses. Unknown `type`s pass through untouched.

const usageSchema = z.looseObject({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  cache_creation_input_tokens: z.number().optional(),
  cache_read_input_tokens: z.number().optional(),
});

const contentBlockSchema = z.looseObject({ type: z.string() });

const systemSchema = z.looseObject({
  type: z.literal('system'),
  subtype: z.string(),
  session_id: z.string().optional(),
  uuid: z.string().optional(),
});

const assistantSchema = z.looseObject({
  type: z.literal('assistant'),
  message: z.looseObject({
    id: z.string().optional(),
    model: z.string().optional(),
    content: z.array(contentBlockSchema),
    usage: usageSchema.optional(),
  }),
  parent_tool_use_id: z.string().nullable().optional(),
  session_id: z.string().optional(),
  uuid: z.string().optional(),
});

const userSchema = z.looseObject({
  type: z.literal('user'),
  message: z.looseObject({
    role: z.string().optional(),
    content: z.union([z.string(), z.array(contentBlockSchema)]),
  }),
  parent_tool_use_id: z.string().nullable().optional(),
  session_id: z.string().optional(),
  uuid: z.string().optional(),
});

const permissionDenialSchema = z.looseObject({
  tool_name: z.string(),
  tool_use_id: z.string().optional(),
  tool_input: z.record(z.string(), z.unknown()).optional(),
});

const resultSchema = z.looseObject({
  type: z.literal('result'),
  subtype: z.string(),
  is_error: z.boolean(),
  result: z.string().optional(),
  session_id: z.string(),
  num_turns: z.number().optional(),
  duration_ms: z.number().optional(),
  duration_api_ms: z.number().optional(),
  total_cost_usd: z.number().optional(),
  stop_reason: z.string().nullable().optional(),
  terminal_reason: z.string().nullable().optional(),
  usage: usageSchema.optional(),
  modelUsage: z.record(z.string(), z.looseObject({})).optional(),
  permission_denials: z.array(permissionDenialSchema).optional(),
  structured_output: z.unknown().optional(),
  errors: z.array(z.string()).optional(),
  api_error_status: z.number().nullable().optional(),
  api_error_type: z.string().nullable().optional(),
  uuid: z.string().optional(),
  user_message_uuid: z.string().optional(),
});

const streamEventSchema = z.looseObject({
  type: z.literal('stream_event'),
  event: z.looseObject({ type: z.string() }),
  session_id: z.string().optional(),
  parent_tool_use_id: z.string().nullable().optional(),
});

const controlRequestSchema = z.looseObject({
  type: z.literal('control_request'),
  request_id: z.string(),
  request: z.looseObject({ subtype: z.string() }),
});

const controlResponseSchema = z.looseObject({
  type: z.literal('control_response'),
  response: z.looseObject({
    subtype: z.enum(['success', 'error']),
    request_id: z.string(),
    response: z.record(z.string(), z.unknown()).optional(),
    error: z.string().optional(),
  }),
});

const controlCancelSchema = z.looseObject({
  type: z.literal('control_cancel_request'),
  request_id: z.string(),
});

/** Token counts as the CLI reports them. */
export type Usage = z.infer<typeof usageSchema>;
/** A content block of an assistant or user message (`text`, `thinking`, `tool_use`, `tool_result`, …). */
export type ContentBlock = z.infer<typeof contentBlockSchema>;
/** Any `system` line: `init` (once per turn), `status`, `api_retry`, `hook_response`, `task_started`, … */
export type SystemMessage = z.infer<typeof systemSchema>;
/** One completed assistant content block (the CLI sends one line per block). */
export type AssistantMessage = z.infer<typeof assistantSchema>;
/** Tool results, interruption markers, subagent prompts and replays. */
export type UserMessage = z.infer<typeof userSchema>;
/** The line that ends a turn. */
export type ResultMessage = z.infer<typeof resultSchema>;
/** A raw Messages API stream event (with `includePartialMessages`). */
export type StreamEventMessage = z.infer<typeof streamEventSchema>;
/** A tool call the CLI refused, as listed in `result.permission_denials`. */
export type PermissionDenial = z.infer<typeof permissionDenialSchema>;
/** A request of the control protocol, from either side. */
export type ControlRequestMessage = z.infer<typeof controlRequestSchema>;
/** An answer of the control protocol. */
export type ControlResponseMessage = z.infer<typeof controlResponseSchema>;
/** The CLI withdrawing one of its own pending control requests. */
export type ControlCancelRequestMessage = z.infer<typeof controlCancelSchema>;

/** A line whose `type` this driver does not know, passed through untouched. */
export interface UnknownMessage {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Every message a run yields. Narrow on `type`, then on `subtype` for `system` and `result`. */
export type ClaudeMessage = SystemMessage | AssistantMessage | UserMessage | ResultMessage | StreamEventMessage | UnknownMessage;

/** Messages of the control protocol; the driver consumes them and does not yield them. */
export type ControlMessage = ControlRequestMessage | ControlResponseMessage | ControlCancelRequestMessage;

/** The outcome of parsing one stdout line. */
export type ParsedLine =
  | { readonly kind: 'message'; readonly message: ClaudeMessage }
  | { readonly kind: 'control'; readonly message: ControlMessage }
  | { readonly kind: 'malformed'; readonly raw: string; readonly reason: string };

const schemas = {
  system: systemSchema,
  assistant: assistantSchema,
  user: userSchema,
  result: resultSchema,
  stream_event: streamEventSchema,
} as const;

const controlSchemas = {
  control_request: controlRequestSchema,
  control_response: controlResponseSchema,
  control_cancel_request: controlCancelSchema,
} as const;

/**
 * Parses one stdout line of `--output-format stream-json`. Dispatches on `type` only, never on
 * line position; unknown types pass through; a line that is not a JSON object, or a known type
 * with the wrong shape, comes back as `malformed` with the raw line.
 *
 * @example
 * ```ts
 * const parsed = parseStreamLine('{"type":"system","subtype":"init","session_id":"…"}');
 * if (parsed.kind === 'message' && parsed.message.type === 'system') show(parsed.message.subtype);
 * ```
 */
export function parseStreamLine(raw: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return { kind: 'malformed', raw, reason: `not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'malformed', raw, reason: 'not a JSON object' };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return { kind: 'malformed', raw, reason: 'no string "type" field' };
  if (Object.hasOwn(controlSchemas, type)) {
    const parsed = controlSchemas[type as keyof typeof controlSchemas].safeParse(value);
    if (!parsed.success) return { kind: 'malformed', raw, reason: z.prettifyError(parsed.error) };
    return { kind: 'control', message: parsed.data };
  }
  if (Object.hasOwn(schemas, type)) {
    const parsed = schemas[type as keyof typeof schemas].safeParse(value);
    if (!parsed.success) return { kind: 'malformed', raw, reason: z.prettifyError(parsed.error) };
    return { kind: 'message', message: parsed.data };
  }
  return { kind: 'message', message: value as UnknownMessage };
}

/**
 * Narrows a message to the `result` line that ends a turn.
 *
 * @example
 * ```ts
 * for await (const message of run) if (isResultMessage(message)) show(message.total_cost_usd);
 * ```
 */
export function isResultMessage(message: ClaudeMessage): message is ResultMessage {
  return message.type === 'result';
}

/**
 * Narrows a message to a `system` line, optionally of one subtype (`init`, `api_retry`, …).
 *
 * @example
 * ```ts
 * if (isSystemMessage(message, 'init')) show(message['tools']);
 * ```
 */
export function isSystemMessage(message: ClaudeMessage, subtype?: string): message is SystemMessage {
  return message.type === 'system' && (subtype === undefined || (message as SystemMessage).subtype === subtype);
}

/**
 * Narrows a message to an `assistant` line (one completed content block).
 *
 * @example
 * ```ts
 * if (isAssistantMessage(message)) for (const block of message.message.content) show(block.type);
 * ```
 */
export function isAssistantMessage(message: ClaudeMessage): message is AssistantMessage {
  return message.type === 'assistant';
}

/**
 * Narrows a message to a `user` line (tool results and markers).
 *
 * @example
 * ```ts
 * if (isUserMessage(message)) show(message.message.content);
 * ```
 */
export function isUserMessage(message: ClaudeMessage): message is UserMessage {
  return message.type === 'user';
}
