// The tasks-extension fixtures (SEP-2663) the conformance scenarios call by name, offered through
// the product's extension (tasksExtensionOf): their tasks live in one process-wide registry,
// since every 2026-07-28 request gets a server of its own.
import { randomUUID } from 'node:crypto';

import type { ExtensionTask, ExtensionTaskSource, StartTask } from '@claude-code-mcp/mcp-tools/tasks-extension';
import { tasksExtensionOf } from '@claude-code-mcp/mcp-tools/tasks-extension';
import { ProtocolError, ProtocolErrorCode, acceptedContent, inputRequired, type CallToolResult, type InputRequest, type McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';

import { formSchema, text } from './fixture-content.js';

/** What a running fixture task can do: ask the client, and see whether it was cancelled. */
interface TaskWork {
  ask(key: string, request: InputRequest): Promise<unknown>;
  readonly signal: AbortSignal;
}

interface Entry {
  view: ExtensionTask;
  readonly pending: Map<string, { request: InputRequest; answer: (response: unknown) => void }>;
  readonly controller: AbortController;
}

const TTL_MS = 300_000;

/** The fixtures' tasks: each runs `work`, and ends as its outcome says. */
class FixtureTasks implements ExtensionTaskSource {
  readonly #entries = new Map<string, Entry>();

  begin(work: (task: TaskWork) => Promise<CallToolResult>): string {
    const taskId = randomUUID();
    const now = Date.now();
    const entry: Entry = { view: { taskId, status: 'working', createdAt: now, lastUpdatedAt: now, ttlMs: TTL_MS }, pending: new Map(), controller: new AbortController() };
    this.#entries.set(taskId, entry);
    const ask = (key: string, request: InputRequest) =>
      new Promise<unknown>((resolve) => {
        entry.pending.set(key, { request, answer: resolve });
        this.#refresh(entry);
      });
    void work({ ask, signal: entry.controller.signal }).then(
      (result) => this.#end(entry, { status: 'completed', result }),
      (error: unknown) =>
        entry.controller.signal.aborted
          ? this.#end(entry, { status: 'cancelled', statusMessage: 'Cancelled by the client.' })
          : this.#end(entry, { status: 'failed', statusMessage: String((error as Error).message), error: { code: (error as ProtocolError).code ?? ProtocolErrorCode.InternalError, message: (error as Error).message } }),
    );
    return taskId;
  }

  get(taskId: string): Promise<ExtensionTask | undefined> {
    return Promise.resolve(this.#entries.get(taskId)?.view);
  }

  update(taskId: string, inputResponses: Readonly<Record<string, unknown>>): Promise<boolean> {
    const entry = this.#entries.get(taskId);
    if (entry === undefined) return Promise.resolve(false);
    // Keys not outstanding (never asked, or answered already) are ignored.
    for (const [key, response] of Object.entries(inputResponses)) {
      const pending = entry.pending.get(key);
      if (pending === undefined) continue;
      entry.pending.delete(key);
      pending.answer(response);
    }
    this.#refresh(entry);
    return Promise.resolve(true);
  }

  cancel(taskId: string): Promise<boolean> {
    const entry = this.#entries.get(taskId);
    if (entry === undefined) return Promise.resolve(false);
    entry.controller.abort(new Error('cancelled'));
    return Promise.resolve(true);
  }

  #refresh(entry: Entry): void {
    if (entry.view.status !== 'working' && entry.view.status !== 'input_required') return;
    const inputRequests = Object.fromEntries([...entry.pending].map(([key, pending]) => [key, pending.request]));
    entry.view = { ...entry.view, status: entry.pending.size > 0 ? 'input_required' : 'working', inputRequests, lastUpdatedAt: Date.now() };
  }

  #end(entry: Entry, end: Pick<ExtensionTask, 'status' | 'statusMessage' | 'result' | 'error'>): void {
    entry.pending.clear();
    entry.view = { ...entry.view, inputRequests: undefined, ...end, lastUpdatedAt: Date.now() };
  }
}

const registry = new FixtureTasks();

/** Waits `ms`, or rejects once the task is cancelled. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('cancelled'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.min(ms, 120_000));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const confirmRequest = (message: string) => inputRequired.elicit({ message, requestedSchema: formSchema('confirm', 'boolean') });
const done = (value: string, isError = false): CallToolResult => ({ content: [text(value)], ...(isError ? { isError } : {}) });

const JOBS: Record<string, (args: Record<string, unknown>, task: TaskWork) => Promise<CallToolResult>> = {
  async slow_compute(args, task) {
    await pause(Number(args['seconds'] ?? 0) * 1000, task.signal);
    return done(`Computed ${typeof args['label'] === 'string' ? args['label'] : 'it'}`);
  },
  async failing_job(_args, task) {
    await pause(1000, task.signal);
    return done('The job failed: the fixture always does', true);
  },
  async protocol_error_job(_args, task) {
    await pause(200, task.signal);
    throw new ProtocolError(ProtocolErrorCode.InternalError, 'The job hit a protocol error: the fixture always does');
  },
  async confirm_delete(args, task) {
    const answer = (await task.ask('confirm', confirmRequest(`Delete ${String(args['filename'])}?`))) as { action?: string; content?: { confirm?: boolean } };
    return done(answer.action === 'accept' && answer.content?.confirm ? `Deleted ${String(args['filename'])}` : 'Kept the file');
  },
  async multi_input(_args, task) {
    const answers = await Promise.all([
      task.ask('first_name', inputRequired.elicit({ message: 'First name?', requestedSchema: formSchema('name', 'string') })),
      task.ask('confirm_go', confirmRequest('Go ahead?')),
    ]);
    return done(`Got ${answers.length} answers`);
  },
};

const startJob: StartTask = (call) => Promise.resolve({ taskId: registry.begin((task) => JOBS[call.name]!(call.arguments ?? {}, task)) });

// Round 1 asks for the name (no task yet); the retried call with the answer starts the task.
const startGreetingTask: StartTask = (_call, _run, context) => {
  const name = acceptedContent<{ name: string }>(context.mcpReq.inputResponses, 'user_name')?.name;
  if (typeof name !== 'string') {
    return Promise.resolve({ answer: inputRequired({ inputRequests: { user_name: inputRequired.elicit({ message: 'What is your name?', requestedSchema: formSchema('name', 'string') }) } }) });
  }
  return Promise.resolve({ taskId: registry.begin(() => Promise.resolve(done(`Hello, ${name}!`))) });
};

const TASK_TOOLS: readonly { name: string; support: 'optional' | 'required'; input: z.ZodObject; start: StartTask }[] = [
  { name: 'slow_compute', support: 'optional', input: z.object({ seconds: z.number().min(0).max(120), label: z.string().optional() }), start: startJob },
  { name: 'failing_job', support: 'required', input: z.object({}), start: startJob },
  { name: 'protocol_error_job', support: 'optional', input: z.object({}), start: startJob },
  { name: 'confirm_delete', support: 'optional', input: z.object({ filename: z.string() }), start: startJob },
  { name: 'multi_input', support: 'optional', input: z.object({}), start: startJob },
  { name: 'test_tool_with_task', support: 'required', input: z.object({}), start: startGreetingTask },
];

/** Registers the tasks fixtures on `server`, which must have the tasks extension (a 2026-07-28 server). */
export function registerTaskFixtures(server: McpServer): void {
  server.registerTool('greet', { description: 'Conformance fixture: greets, never as a task', inputSchema: z.object({ name: z.string() }) }, ({ name }) => done(`Hello, ${name}!`));
  const extension = tasksExtensionOf(server);
  for (const tool of TASK_TOOLS) {
    // Without the extension an optional tool runs here, at once.
    server.registerTool(tool.name, { description: `Conformance fixture (SEP-2663): ${tool.name}`, inputSchema: tool.input }, async (args) => {
      await new Promise((resolve) => setTimeout(resolve, Number((args as { seconds?: number }).seconds ?? 0) * 1000));
      return done(`Computed ${tool.name} without a task`);
    });
    extension?.offer(tool.name, { support: tool.support, source: registry, start: tool.start });
  }
}
