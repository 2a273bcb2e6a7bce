// The baselines of bench/http: bare fastify apps in a process of their own (as our server runs in
// one), on the same Node.
//   POST /small  a small fixed JSON-RPC result;
//   POST /large  the JSON body given as a file (our tools/list result), serialized on every
//                request as the SDK does;
//   POST /sdk    the MCP SDK alone, as our server mounts it: a 2026-07-28 handler building a server
//                per request (createMcpHandler, toNodeHandler), registering the same tools (their
//                JSON Schemas from the file, through fromJsonSchema), no authorization, no store.
// All parse the JSON request body, as ours does. Prints its port on stdout; SIGTERM stops it.
import { readFileSync } from 'node:fs';

import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, fromJsonSchema, McpServer } from '@modelcontextprotocol/server';
import Fastify from 'fastify';

interface ListedTool {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly inputSchema: Record<string, unknown>;
  readonly annotations?: Record<string, unknown>;
}

const largeFile = process.argv[2];
const large = (largeFile === undefined ? { jsonrpc: '2.0', id: 1, result: { tools: [] } } : JSON.parse(readFileSync(largeFile, 'utf8'))) as { result: { tools: ListedTool[] } };
const small = { jsonrpc: '2.0', id: 1, result: { ok: true } };
// Validators compiled once, as our zod schemas are built once.
const tools = large.result.tools.map((tool) => ({ ...tool, schema: fromJsonSchema(tool.inputSchema as never) }));

const newServer = () => {
  const server = new McpServer({ name: 'bench-sdk', version: '1.0.0' }, { capabilities: { logging: {} } });
  for (const tool of tools) {
    server.registerTool(tool.name, { title: tool.title, description: tool.description, inputSchema: tool.schema, annotations: tool.annotations }, () => ({ content: [] }));
  }
  return server;
};
const sdk = toNodeHandler(createMcpHandler(() => newServer(), { legacy: 'reject' }));

const app = Fastify({ logger: false });
app.post('/small', () => small);
app.post('/large', () => large);
app.post('/sdk', async (request, reply) => {
  reply.hijack();
  await sdk(request.raw, reply.raw, request.body);
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
