// The baseline of bench/http: a bare fastify app in a process of its own (as our server runs in
// one), on the same Node. POST /small answers a small fixed JSON-RPC result; POST /large answers
// the JSON body given as a file (our tools/list result), serialized on every request as the SDK
// does. Both parse the JSON request body, as ours does. Prints its port on stdout; SIGTERM stops it.
import { readFileSync } from 'node:fs';

import Fastify from 'fastify';

const largeFile = process.argv[2];
const large: unknown = largeFile === undefined ? { jsonrpc: '2.0', id: 1, result: {} } : JSON.parse(readFileSync(largeFile, 'utf8'));
const small = { jsonrpc: '2.0', id: 1, result: { ok: true } };

const app = Fastify({ logger: false });
app.post('/small', () => small);
app.post('/large', () => large);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
