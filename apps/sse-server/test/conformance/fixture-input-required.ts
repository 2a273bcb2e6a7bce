// The 2026-07-28 multi-round-trip fixtures (SEP-2322): each returns an input-required result until
// the retried call carries the answers it asked for. State they mint is HMAC-sealed with one key
// per process, since every 2026-07-28 request gets a server of its own.
import { randomBytes, randomUUID } from 'node:crypto';

import {
  CLIENT_CAPABILITIES_META_KEY,
  acceptedContent,
  createRequestStateCodec,
  inputRequired,
  type CallToolResult,
  type ClientCapabilities,
  type InputRequests,
  type InputRequiredResult,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import * as z from 'zod';

import { formSchema, text } from './fixture-content.js';

/** Seals the fixtures' request states (the product's own states have a codec of their own). */
export const fixtureStateCodec = createRequestStateCodec<Record<string, unknown>>({ key: randomBytes(32) });

type Answer = Promise<CallToolResult | InputRequiredResult>;
type Handler = (ctx: ServerContext) => Answer | CallToolResult | InputRequiredResult;

const askName = (message = 'What is your name?') => inputRequired.elicit({ message, requestedSchema: formSchema('name', 'string') });
const askConfirm = () => inputRequired.elicit({ message: 'Please confirm', requestedSchema: formSchema('ok', 'boolean') });
const mint = (payload: Record<string, unknown>) => fixtureStateCodec.mint({ ...payload, nonce: randomUUID() });
const done = (value: string): CallToolResult => ({ content: [text(value)] });

const elicitation: Handler = (ctx) => {
  const name = acceptedContent<{ name: string }>(ctx.mcpReq.inputResponses, 'user_name')?.name;
  return typeof name === 'string' ? done(`Hello, ${name}!`) : inputRequired({ inputRequests: { user_name: askName() } });
};

const sampling: Handler = (ctx) => {
  const answer = ctx.mcpReq.inputResponses?.['capital_question'] as { content?: { text?: string } } | undefined;
  if (answer !== undefined) return done(`Sampling response: ${answer.content?.text ?? JSON.stringify(answer)}`);
  const question = inputRequired.createMessage({ messages: [{ role: 'user', content: text('What is the capital of France?') }], maxTokens: 100 });
  return inputRequired({ inputRequests: { capital_question: question } });
};

const listRoots: Handler = (ctx) => {
  const roots = (ctx.mcpReq.inputResponses?.['client_roots'] as { roots?: { uri?: string }[] } | undefined)?.roots;
  if (!Array.isArray(roots)) return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
  return done(`Client exposed ${roots.length} root(s): ${roots.map((root) => root.uri).join(', ')}`);
};

const requestState: Handler = async (ctx) => {
  // The seam has verified the state before this runs; an unverified one never gets here.
  if (acceptedContent(ctx.mcpReq.inputResponses, 'confirm') !== undefined && ctx.mcpReq.requestState() !== undefined) {
    return done('state-ok: requestState verified and confirmation received');
  }
  return inputRequired({ inputRequests: { confirm: askConfirm() }, requestState: await mint({ tool: 'request_state' }) });
};

const multipleInputs: Handler = async (ctx) => {
  const responses = ctx.mcpReq.inputResponses;
  const name = acceptedContent<{ name: string }>(responses, 'user_name')?.name;
  const greeting = (responses?.['greeting'] as { content?: { text?: string } } | undefined)?.content?.text;
  const roots = (responses?.['client_roots'] as { roots?: unknown[] } | undefined)?.roots;
  if (typeof name === 'string' && typeof greeting === 'string' && Array.isArray(roots)) return done(`${greeting} ${name} (${roots.length} root(s))`);
  const greet = inputRequired.createMessage({ messages: [{ role: 'user', content: text('Generate a greeting') }], maxTokens: 50 });
  return inputRequired({
    inputRequests: { user_name: askName(), greeting: greet, client_roots: inputRequired.listRoots() },
    requestState: await mint({ tool: 'multiple_inputs' }),
  });
};

const multiRound: Handler = async (ctx) => {
  const state = ctx.mcpReq.requestState<Record<string, unknown>>();
  const round = state?.['tool'] === 'multi_round' && typeof state['round'] === 'number' ? state['round'] : 0;
  if (round === 0) return inputRequired({ inputRequests: { step1: askName('Step 1: What is your name?') }, requestState: await mint({ tool: 'multi_round', round: 1 }) });
  if (round === 1) {
    const name = acceptedContent<{ name: string }>(ctx.mcpReq.inputResponses, 'step1')?.name ?? 'unknown';
    const color = inputRequired.elicit({ message: 'Step 2: What is your favorite color?', requestedSchema: formSchema('color', 'string') });
    return inputRequired({ inputRequests: { step2: color }, requestState: await mint({ tool: 'multi_round', round: 2, name }) });
  }
  const color = acceptedContent<{ color: string }>(ctx.mcpReq.inputResponses, 'step2')?.color ?? 'unknown';
  return done(`Multi-round complete: ${String(state?.['name'])} likes ${color}`);
};

const tamperedState: Handler = async (ctx) => {
  if (ctx.mcpReq.requestState() !== undefined && acceptedContent(ctx.mcpReq.inputResponses, 'confirm') !== undefined) return done('integrity-ok');
  return inputRequired({ inputRequests: { confirm: askConfirm() }, requestState: await mint({ tool: 'tampered_state' }) });
};

/** Asks only for the kinds of input the request's declared client capabilities cover. */
const capabilities: Handler = (ctx) => {
  if (ctx.mcpReq.inputResponses !== undefined) return done('Capability-aware input requests fulfilled');
  // The SDK types the envelope without its keys.
  const envelope = ctx.mcpReq.envelope as Record<string, ClientCapabilities | undefined> | undefined;
  const declared = envelope?.[CLIENT_CAPABILITIES_META_KEY];
  const inputRequests: InputRequests = {};
  if (declared?.elicitation !== undefined) inputRequests['user_name'] = askName();
  if (declared?.sampling !== undefined) {
    inputRequests['greeting'] = inputRequired.createMessage({ messages: [{ role: 'user', content: text('Generate a short greeting') }], maxTokens: 50 });
  }
  if (declared?.roots !== undefined) inputRequests['client_roots'] = inputRequired.listRoots();
  return Object.keys(inputRequests).length === 0 ? done('No declared capability supports an input request') : inputRequired({ inputRequests });
};

/** server-stateless: called without the sampling capability, this must be refused with -32021. */
const missingCapability: Handler = (ctx) => {
  if (ctx.mcpReq.inputResponses?.['llm_answer'] !== undefined) return done('sampling round-trip complete');
  const question = inputRequired.createMessage({ messages: [{ role: 'user', content: text('Reply with the single word: pong') }], maxTokens: 16 });
  return inputRequired({ inputRequests: { llm_answer: question } });
};

const TOOLS: Record<string, Handler> = {
  test_input_required_result_elicitation: elicitation,
  test_input_required_result_sampling: sampling,
  test_input_required_result_list_roots: listRoots,
  test_input_required_result_request_state: requestState,
  test_input_required_result_multiple_inputs: multipleInputs,
  test_input_required_result_multi_round: multiRound,
  test_input_required_result_tampered_state: tamperedState,
  test_input_required_result_capabilities: capabilities,
  test_missing_capability: missingCapability,
};

/** Registers the multi-round-trip fixture tools on `server`. */
export function registerInputRequiredTools(server: McpServer): void {
  for (const [name, handler] of Object.entries(TOOLS)) {
    server.registerTool(name, { description: `Conformance fixture (SEP-2322): ${name}`, inputSchema: z.object({}) }, (_args, ctx) => handler(ctx));
  }
}
