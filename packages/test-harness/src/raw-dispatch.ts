// Raw JSON-RPC on protocol 2026-07-28, for clients the SDK's codecs do not serve yet (the tasks
// extension's requester in @modelcontextprotocol/ext-tasks takes a "raw dispatch"): one request,
// its response, over Streamable HTTP or over a stdio server's pipes.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/** A JSON-RPC response as the ext-tasks ports want it. */
export type RawResponse = { readonly kind: 'result'; readonly result: unknown } | { readonly kind: 'error'; readonly error: { code: number; message: string; data?: unknown } };

/** Sends one JSON-RPC request (an id is given when it has none) and resolves with its response. */
export type RawDispatch = (request: unknown) => Promise<RawResponse>;

const MODERN = '2026-07-28';

/** Which param the `Mcp-Name` header mirrors, per method (SEP-2243, SEP-2663). */
const NAME_FIELD: Readonly<Record<string, string>> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri', 'tasks/get': 'taskId', 'tasks/update': 'taskId', 'tasks/cancel': 'taskId' };

let nextId = 1_000_000;

function framed(request: unknown): { id: number | string; method: string; params: Record<string, unknown> } {
  const message = request as { id?: number | string; method: string; params?: Record<string, unknown> };
  return { id: message.id ?? (nextId += 1), method: message.method, params: message.params ?? {} };
}

function responseOf(message: { result?: unknown; error?: { code: number; message: string; data?: unknown } }): RawResponse {
  return message.error ? { kind: 'error', error: message.error } : { kind: 'result', result: message.result };
}

// The response to `id` in an SSE body (notifications before it are skipped) or a JSON one.
function findResponse(body: string, contentType: string, id: number | string): { result?: unknown; error?: { code: number; message: string } } {
  if (!contentType.includes('text/event-stream')) return JSON.parse(body) as { result?: unknown };
  for (const line of body.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const message = JSON.parse(line.slice(5)) as { id?: unknown };
    if (message.id === id) return message as { result?: unknown };
  }
  throw new Error(`no response to request ${String(id)} in the event stream`);
}

/**
 * Raw dispatch over Streamable HTTP at `url`: one POST per request, with the standard headers.
 *
 * @example
 * const dispatch = httpRawDispatch(new URL('/mcp', origin));
 * const response = await dispatch({ method: 'tasks/get', params: { taskId, _meta } });
 */
export function httpRawDispatch(url: URL): RawDispatch {
  return async (request) => {
    const { id, method, params } = framed(request);
    const field = NAME_FIELD[method];
    const name = field === undefined ? undefined : params[field];
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MODERN,
        'mcp-method': method,
        ...(typeof name === 'string' ? { 'mcp-name': name } : {}),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
    });
    return responseOf(findResponse(await response.text(), response.headers.get('content-type') ?? '', id));
  };
}

/**
 * Raw dispatch over a stdio server's pipes: one line out, the line with the same id back.
 *
 * @example
 * const child = spawn(process.execPath, [entry], { env, stdio: ['pipe', 'pipe', 'pipe'] });
 * const dispatch = stdioRawDispatch(child);
 */
export function stdioRawDispatch(child: ChildProcessWithoutNullStreams): RawDispatch {
  const waiting = new Map<number | string, (message: { result?: unknown; error?: { code: number; message: string } }) => void>();
  const failures = new Map<number | string, (error: Error) => void>();
  let buffered = '';
  // A server that exits fails what waits for it at once, saying so (not after a timeout).
  child.once('exit', (code, signal) => {
    for (const fail of failures.values()) fail(new Error(`the server exited (${signal ?? `code ${String(code)}`}) before replying`));
  });
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const message = JSON.parse(line) as { id?: number | string; method?: string };
      if (message.id !== undefined && message.method === undefined) waiting.get(message.id)?.(message as { result?: unknown });
    }
  });
  return (request) => {
    const { id, method, params } = framed(request);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${method} (${String(id)})`)), 30_000);
      waiting.set(id, (message) => {
        clearTimeout(timer);
        waiting.delete(id);
        failures.delete(id);
        resolve(responseOf(message));
      });
      failures.set(id, (error) => {
        clearTimeout(timer);
        waiting.delete(id);
        failures.delete(id);
        reject(error);
      });
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  };
}

/** The parts of ext-tasks' `ConnectedMcpSessionPort` a raw port fills (structurally the same). */
export interface RawTasksPort {
  readonly endpointId: string;
  readonly taskCapabilities: { readonly generation: 'v2'; readonly capabilities: Record<string, never> };
  dispatch(request: unknown): Promise<RawResponse>;
  onServerRequest(handler: unknown): () => void;
  onNotification(listener: unknown): () => void;
  onInvalidated(listener: unknown): () => void;
  readonly invalidated: boolean;
}

/**
 * A connected session port for `withTasks` (ext-tasks) over a raw dispatch: every request gets the
 * 2026-07-28 envelope with `clientCapabilities` (which should name the tasks extension).
 *
 * @example
 * const session = withTasks(tasksPort({ endpointId: 'http', dispatch: httpRawDispatch(url), clientCapabilities: { extensions: { 'io.modelcontextprotocol/tasks': {} } } }));
 */
export function tasksPort(options: { readonly endpointId: string; readonly dispatch: RawDispatch; readonly clientCapabilities: Record<string, unknown> }): RawTasksPort {
  const envelope = {
    'io.modelcontextprotocol/protocolVersion': MODERN,
    'io.modelcontextprotocol/clientInfo': { name: 'ext-tasks-test', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': options.clientCapabilities,
  };
  return {
    endpointId: options.endpointId,
    taskCapabilities: { generation: 'v2', capabilities: {} },
    dispatch: (request: unknown) => {
      const { id, method, params } = framed(request);
      return options.dispatch({ id, method, params: { ...params, _meta: { ...envelope, ...(params['_meta'] as object | undefined) } } });
    },
    onServerRequest: () => () => undefined,
    onNotification: () => () => undefined,
    onInvalidated: () => () => undefined,
    invalidated: false,
  };
}
