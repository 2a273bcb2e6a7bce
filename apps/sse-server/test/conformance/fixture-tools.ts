// The suite's plain fixture tools: fixed content, an error, notifications during a call, and
// server-to-client requests (2025 era). Names and texts are the ones the scenarios check.
import { fromJsonSchema, type CallToolResult, type ElicitRequestFormParams, type McpServer, type ServerContext } from '@modelcontextprotocol/server';
import * as z from 'zod';

import { WAV_BASE64, image, text } from './fixture-content.js';

const noArguments = z.object({});
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const CONTENT_TOOLS: Record<string, CallToolResult['content']> = {
  test_simple_text: [text('This is a simple text response for testing.')],
  test_image_content: [image()],
  test_audio_content: [{ type: 'audio', data: WAV_BASE64, mimeType: 'audio/wav' }],
  test_embedded_resource: [
    { type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } },
  ],
  test_multiple_content_types: [
    text('Multiple content types test:'),
    image(),
    { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) } },
  ],
};

function registerContentTools(server: McpServer): void {
  for (const [name, content] of Object.entries(CONTENT_TOOLS)) {
    server.registerTool(name, { description: `Conformance fixture: answers ${content.map((block) => block.type).join(', ')}` }, () => ({ content }));
  }
  server.registerTool('test_error_handling', { description: 'Conformance fixture: fails' }, () => {
    throw new Error('This tool intentionally returns an error for testing');
  });
}

async function logThreeTimes(ctx: ServerContext): Promise<CallToolResult> {
  for (const data of ['Tool execution started', 'Tool processing data', 'Tool execution completed']) {
    await ctx.mcpReq.notify({ method: 'notifications/message', params: { level: 'info', data } });
    await pause(50);
  }
  return { content: [text('Tool with logging executed successfully')] };
}

async function reportProgress(ctx: ServerContext): Promise<CallToolResult> {
  const progressToken = ctx.mcpReq._meta?.progressToken;
  // Progress only goes to a caller that asked for it (the spec's MUST NOT otherwise).
  if (progressToken !== undefined) {
    for (const progress of [0, 50, 100]) {
      await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress, total: 100, message: `Step ${progress} of 100` } });
      await pause(50);
    }
  }
  return { content: [text(String(progressToken ?? 'no-progress-token'))] };
}

function registerNotifyingTools(server: McpServer): void {
  server.registerTool('test_tool_with_logging', { description: 'Conformance fixture: logs three messages', inputSchema: noArguments }, (_args, ctx) => logThreeTimes(ctx));
  server.registerTool('test_tool_with_progress', { description: 'Conformance fixture: reports progress 0, 50, 100', inputSchema: noArguments }, (_args, ctx) =>
    reportProgress(ctx),
  );
  // 2026-07-28: the request-scoped log is dropped unless the request set a log level.
  server.registerTool('test_logging_tool', { description: 'Conformance fixture: logs through the request', inputSchema: noArguments }, async (_args, ctx) => {
    await ctx.mcpReq.log('info', 'test_logging_tool ran');
    return { content: [text('logged through the request-scoped channel')] };
  });
  server.registerTool('test_streaming_elicitation', { description: 'Conformance fixture: a plain result on the response stream', inputSchema: noArguments }, () => ({
    content: [text('result frames only')],
  }));
}

/** The elicitation forms of the SEP-1034 (defaults) and SEP-1330 (enums) scenarios. */
const FORMS = {
  test_elicitation_sep1034_defaults: {
    message: 'Please review and update the form fields with defaults',
    properties: {
      name: { type: 'string', description: 'User name', default: 'John Doe' },
      age: { type: 'integer', description: 'User age', default: 30 },
      score: { type: 'number', description: 'User score', default: 95.5 },
      status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
      verified: { type: 'boolean', description: 'Verification status', default: true },
    },
  },
  test_elicitation_sep1330_enums: {
    message: 'Please select options from the enum fields',
    properties: {
      untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
      titledSingle: { type: 'string', description: 'Select one option with titles', oneOf: choices('value', 'Option') },
      legacyEnum: { type: 'string', description: 'Select one option (legacy)', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
      untitledMulti: { type: 'array', description: 'Select multiple options', minItems: 1, maxItems: 3, items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
      titledMulti: { type: 'array', description: 'Select multiple options with titles', minItems: 1, maxItems: 3, items: { anyOf: choices('value', 'Choice') } },
    },
  },
} as const;

function choices(prefix: string, noun: string) {
  return ['First', 'Second', 'Third'].map((ordinal, index) => ({ const: `${prefix}${index + 1}`, title: `${ordinal} ${noun}` }));
}

type Elicited = { action: string; content?: unknown };
const describeAnswer = (label: string, answer: Elicited) => text(`${label}: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`);

function registerAskingTools(server: McpServer): void {
  server.registerTool('test_sampling', { description: 'Conformance fixture: asks the client to sample', inputSchema: z.object({ prompt: z.string() }) }, async ({ prompt }, ctx) => {
    const answer = await ctx.mcpReq.requestSampling({ messages: [{ role: 'user', content: text(prompt) }], maxTokens: 100 });
    const content = Array.isArray(answer.content) ? answer.content[0] : answer.content;
    return { content: [text(`LLM response: ${content?.type === 'text' ? content.text : 'No response'}`)] };
  });
  server.registerTool('test_elicitation', { description: 'Conformance fixture: asks the user', inputSchema: z.object({ message: z.string() }) }, async ({ message }, ctx) => {
    const answer = await ctx.mcpReq.elicitInput({ message, requestedSchema: { type: 'object', properties: { response: { type: 'string' } }, required: ['response'] } });
    return { content: [describeAnswer('User response', answer)] };
  });
  for (const [name, form] of Object.entries(FORMS)) {
    server.registerTool(name, { description: `Conformance fixture: ${form.message}`, inputSchema: noArguments }, async (_args, ctx) => {
      const requestedSchema = { type: 'object', properties: form.properties, required: [] } as unknown as ElicitRequestFormParams['requestedSchema'];
      return { content: [describeAnswer('Elicitation completed', await ctx.mcpReq.elicitInput({ message: form.message, requestedSchema }))] };
    });
  }
}

// Not a literal at the call: JSON Schema's type has no `x-mcp-header` (SEP-2243) keyword.
const REGION_SCHEMA = { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, level: { type: 'integer' } } } as const;

/** Tools whose input schema the scenarios read as written: JSON Schema 2020-12 and x-mcp-header. */
function registerSchemaTools(server: McpServer): void {
  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'Conformance fixture: a JSON Schema 2020-12 input schema',
      inputSchema: fromJsonSchema({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        $defs: { address: { $anchor: 'addressDef', type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
        properties: {
          name: { type: 'string' },
          address: { $ref: '#/$defs/address' },
          contactMethod: { type: 'string', enum: ['phone', 'email'] },
          phone: { type: 'string' },
          email: { type: 'string' },
        },
        allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
        if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
        then: { required: ['phone'] },
        else: { required: ['email'] },
        additionalProperties: false,
      }),
    },
    (args) => ({ content: [text(`called with ${JSON.stringify(args)}`)] }),
  );
  server.registerTool(
    'test_x_mcp_header',
    {
      description: 'Conformance fixture: an argument mirrored into the Mcp-Param-Region header',
      inputSchema: fromJsonSchema<{ region?: string; level?: number }>(REGION_SCHEMA),
    },
    (args) => ({ content: [text(`region=${args.region ?? '<none>'}`)] }),
  );
}

/** Registers every plain fixture tool on `server`. */
export function registerFixtureTools(server: McpServer): void {
  registerContentTools(server);
  registerNotifyingTools(server);
  registerAskingTools(server);
  registerSchemaTools(server);
}
