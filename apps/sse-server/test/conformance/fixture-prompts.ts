// The suite's fixture prompts, and the completion they are asked for.
import { acceptedContent, inputRequired, type GetPromptResult, type McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';

import { formSchema, image, text } from './fixture-content.js';

const user = (content: GetPromptResult['messages'][number]['content']) => ({ role: 'user' as const, content });

function registerPlainPrompts(server: McpServer): void {
  server.registerPrompt('test_simple_prompt', { description: 'Conformance fixture: no arguments' }, () => ({
    messages: [user(text('This is a simple prompt for testing.'))],
  }));
  server.registerPrompt(
    'test_prompt_with_arguments',
    { description: 'Conformance fixture: two arguments', argsSchema: z.object({ arg1: z.string().describe('First test argument'), arg2: z.string().describe('Second test argument') }) },
    ({ arg1, arg2 }) => ({ messages: [user(text(`Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`))] }),
  );
  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    { description: 'Conformance fixture: embeds a resource', argsSchema: z.object({ resourceUri: z.string().describe('URI of the resource to embed') }) },
    ({ resourceUri }) => ({
      messages: [
        user({ type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } }),
        user(text('Please process the embedded resource above.')),
      ],
    }),
  );
  server.registerPrompt('test_prompt_with_image', { description: 'Conformance fixture: an image' }, () => ({
    messages: [user(image()), user(text('Please analyze the image above.'))],
  }));
}

/** 2026-07-28: prompts/get may ask for input too (input-required-result-non-tool-request). */
function registerInputRequiredPrompt(server: McpServer): void {
  server.registerPrompt('test_input_required_result_prompt', { description: 'Conformance fixture (SEP-2322): asks for context first' }, (ctx) => {
    const context = acceptedContent<{ context: string }>(ctx.mcpReq.inputResponses, 'user_context')?.context;
    if (typeof context === 'string') return { messages: [user(text(`Use the following context: ${context}`))] };
    return inputRequired({ inputRequests: { user_context: inputRequired.elicit({ message: 'What context should the prompt use?', requestedSchema: formSchema('context', 'string') }) } });
  });
}

/** Declares `completions`; every completion is empty, which is all completion-complete checks. */
function acceptCompletions(server: McpServer): void {
  server.server.registerCapabilities({ completions: {} });
  server.server.setRequestHandler('completion/complete', () => ({ completion: { values: [], total: 0, hasMore: false } }));
}

/** Registers the fixture prompts and completions on `server`. */
export function registerFixturePrompts(server: McpServer): void {
  registerPlainPrompts(server);
  registerInputRequiredPrompt(server);
  acceptCompletions(server);
}
