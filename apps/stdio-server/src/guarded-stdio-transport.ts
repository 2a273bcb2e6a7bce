// The stdio transport of the server: the SDK's StdioServerTransport writes, and this reads, so
// that what a client gets wrong gets an answer instead of silence or a dead session.
import { PassThrough, type Readable, type Writable } from 'node:stream';

import {
  INVALID_REQUEST,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  PARSE_ERROR,
  parseJSONRPCMessage,
  PROTOCOL_VERSION_META_KEY,
  STDIO_DEFAULT_MAX_BUFFER_SIZE,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type Transport,
} from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';

import { LineReader, type TopLevelFields } from './line-reader.js';

type RequestId = string | number;

/** Options of {@link GuardedStdioTransport}; the defaults are this process's stdio. */
export interface GuardedStdioOptions {
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  /** Longest message accepted, in bytes (default the SDK's 10 MiB). */
  readonly maxMessageBytes?: number;
}

/**
 * Newline-delimited JSON-RPC over stdio that keeps the session alive through bad input:
 * - a line over the size limit is skipped as it streams in and answered with -32600 (its id is
 *   read from its first bytes), where the SDK's transport would close the session;
 * - a line that is not JSON gets -32700, a message that is not JSON-RPC gets -32600;
 * - on a 2025-era connection, a request before `initialize` and a second `initialize` are refused;
 * - a request whose id is still in flight is refused instead of run twice.
 *
 * @example
 * ```ts
 * serveStdio((context) => service.createServer(context), { transport: new GuardedStdioTransport() });
 * ```
 */
export class GuardedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #stdin: Readable;
  readonly #maxMessageBytes: number;
  readonly #writer: StdioServerTransport;
  /** The writer's own stdin: never fed; ended when the real one ends, which closes the writer. */
  readonly #idle = new PassThrough();
  readonly #reader: LineReader;
  readonly #inFlight = new Set<RequestId>();
  /** 2025 era: the id of the initialize request being answered, then whether it succeeded. */
  #initializing: RequestId | undefined;
  #initialized = false;

  constructor(options: GuardedStdioOptions = {}) {
    this.#stdin = options.stdin ?? process.stdin;
    this.#maxMessageBytes = options.maxMessageBytes ?? STDIO_DEFAULT_MAX_BUFFER_SIZE;
    this.#writer = new StdioServerTransport(this.#idle, options.stdout ?? process.stdout);
    this.#reader = new LineReader(this.#maxMessageBytes, {
      line: (text) => this.#onLine(text),
      oversized: (fields, bytes) => this.#oversized(fields, bytes),
    });
  }

  async start(): Promise<void> {
    this.#writer.onclose = () => this.#closed();
    this.#writer.onerror = (error) => this.onerror?.(error);
    await this.#writer.start();
    if (this.#stdin.readableEnded || this.#stdin.destroyed) setImmediate(this.#onEnd);
    this.#stdin.on('data', this.#onData);
    this.#stdin.on('error', this.#onError);
    this.#stdin.on('end', this.#onEnd);
    this.#stdin.on('close', this.#onEnd);
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      if (message.id !== undefined) this.#inFlight.delete(message.id);
      if (message.id !== undefined && message.id === this.#initializing) {
        // Initialized once initialize succeeded: a refused one may be sent again.
        this.#initialized = isJSONRPCResultResponse(message);
        this.#initializing = undefined;
      }
    }
    return this.#writer.send(message);
  }

  close(): Promise<void> {
    return this.#writer.close();
  }

  readonly #onData = (chunk: Buffer | string): void => {
    this.#reader.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  };

  readonly #onError = (error: Error): void => {
    this.onerror?.(error);
  };

  readonly #onEnd = (): void => {
    this.#idle.end();
    void this.#writer.close();
  };

  #closed(): void {
    if (this.#stdin.listenerCount('data') === 1) this.#stdin.pause();
    this.#stdin.off('data', this.#onData);
    this.#stdin.off('error', this.#onError);
    this.#stdin.off('end', this.#onEnd);
    this.#stdin.off('close', this.#onEnd);
    this.onclose?.();
  }

  #onLine(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.#refuse(null, PARSE_ERROR, 'Parse error: the line is not JSON; send one JSON-RPC message per line.');
    }
    let message: JSONRPCMessage;
    try {
      message = parseJSONRPCMessage(value);
    } catch {
      // A broken response carries an id of the server's own requests: answering it would confuse the client.
      if (isResponseLike(value)) return this.onerror?.(new Error('Dropped a malformed JSON-RPC response from the client.'));
      return this.#refuse(idOf(value), INVALID_REQUEST, 'Invalid request: the message is not a JSON-RPC 2.0 request, notification or response.');
    }
    if (isJSONRPCRequest(message)) {
      const problem = this.#requestProblem(message);
      if (problem !== undefined) return this.#refuse(message.id, INVALID_REQUEST, problem);
      this.#inFlight.add(message.id);
    } else if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
      // A cancelled request may never be answered: its id is free again.
      const cancelled = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof cancelled === 'string' || typeof cancelled === 'number') this.#inFlight.delete(cancelled);
    }
    this.onmessage?.(message);
  }

  /** Why a request is refused, or `undefined` to serve it. */
  #requestProblem(request: JSONRPCRequest): string | undefined {
    if (this.#inFlight.has(request.id)) return `Invalid request: a request with id ${JSON.stringify(request.id)} is still in progress; use a new id.`;
    // 2026-07-28 (and later) requests carry their protocol version and need no initialize.
    const claimed = request.params?._meta?.[PROTOCOL_VERSION_META_KEY];
    if (typeof claimed === 'string' && claimed >= '2026' && request.method !== 'initialize') return undefined;
    if (request.method === 'initialize') {
      if (this.#initialized || this.#initializing !== undefined) return 'Invalid request: this session is already initialized; initialize is sent once.';
      this.#initializing = request.id;
      return undefined;
    }
    // Pipelined after an initialize still being answered is fine (the spec's SHOULD NOT, not a MUST).
    if (!this.#initialized && this.#initializing === undefined && request.method !== 'ping') return `Invalid request: send initialize before ${request.method}.`;
    return undefined;
  }

  #oversized(fields: TopLevelFields, bytes: number): void {
    const problem = `The message is ${bytes} bytes, over this server's limit of ${this.#maxMessageBytes}`;
    if (fields.hasOutcome && !fields.hasMethod) return this.onerror?.(new Error(`${problem}; a response that large was dropped.`));
    this.#refuse(fields.id, INVALID_REQUEST, `${problem}; send less at once (a file path rather than the file's contents).`);
  }

  #refuse(id: RequestId | null, code: number, message: string): void {
    // JSON-RPC answers a message whose id cannot be read with id null.
    const error = { jsonrpc: '2.0' as const, id, error: { code, message } } as unknown as JSONRPCMessage;
    this.#writer.send(error).catch((failure: unknown) => this.onerror?.(failure as Error));
  }
}

function idOf(value: unknown): RequestId | null {
  const id = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

function isResponseLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return !('method' in value) && ('result' in value || 'error' in value);
}
