/**
 * The real `claude` binary (2.1.332) against the mock. Each CLI run takes about 0.5–1 s.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  apiError,
  createCliSandbox,
  createMockAnthropicServer,
  getLastUserTexts,
  getToolResults,
  runClaude,
  text,
  thinking,
  toolUse,
  turn,
  type CliSandbox,
  type MockAnthropicServer,
} from '../src/index.js';

const PRINT_ARGS = ['-p', '--output-format', 'stream-json', '--verbose'] as const;
const RUN_TIMEOUT_MS = 30_000;
const TEST_TIMEOUT_MS = 45_000;
const SELFTEST_PREFIX = 'cc-harness-selftest-';

let server: MockAnthropicServer;
let sandbox: CliSandbox;

beforeAll(async () => {
  server = await createMockAnthropicServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(async () => {
  server.reset();
  sandbox = await createCliSandbox({ mock: server, prefix: SELFTEST_PREFIX });
});

afterEach(async () => {
  await sandbox.cleanup();
});

function toolUseIdsOf(messages: Record<string, unknown>[]): string[] {
  const ids: string[] = [];
  for (const m of messages) {
    if (m['type'] !== 'assistant') continue;
    const content = (m['message'] as { content: { type: string; id?: string }[] }).content;
    for (const block of content) if (block.type === 'tool_use' && block.id) ids.push(block.id);
  }
  return ids;
}

describe('claude CLI against the mock', () => {
  it(
    'answers a plain -p prompt with a scripted text turn (one request, nothing else)',
    async () => {
      server.script(text('Hello from the mock!'));
      const run = await runClaude(sandbox, { args: PRINT_ARGS, stdin: 'say hi', timeoutMs: RUN_TIMEOUT_MS });
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(0);
      const init = run.messages.find((m) => m['type'] === 'system' && m['subtype'] === 'init');
      expect(init?.['cwd']).toBe(sandbox.cwd);
      expect(init?.['apiKeySource']).toBe('ANTHROPIC_API_KEY');
      expect(run.result).toMatchObject({ subtype: 'success', is_error: false, result: 'Hello from the mock!' });

      // With CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 a -p run sends exactly one request.
      expect(server.requests).toHaveLength(1);
      const [request] = server.requests;
      expect(request).toMatchObject({ method: 'POST', path: '/v1/messages', kind: 'main', stream: true, turnIndex: 0 });
      expect(request?.url).toBe('/v1/messages?beta=true');
      expect(request?.headers['x-api-key']).toBe('sk-ant-test-dummy');
      expect(getLastUserTexts(request?.body).some((t) => t.includes('say hi'))).toBe(true);
      const tools = (request?.body as { tools: { name: string }[] }).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(['Bash', 'Read', 'Write', 'Edit']));
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'runs a Write tool_use round trip that creates the file',
    async () => {
      const filePath = join(sandbox.cwd, 'hello.txt');
      server.script(
        toolUse('Write', { file_path: filePath, content: 'hello from Write\n' }, { id: 'toolu_write_1' }),
        turn(text('File written.'), { match: { toolResult: 'toolu_write_1' } }),
      );
      const run = await runClaude(sandbox, {
        args: [...PRINT_ARGS, '--allowedTools', 'Write'],
        stdin: 'write hello.txt',
        timeoutMs: RUN_TIMEOUT_MS,
      });
      expect(run.exitCode).toBe(0);
      expect(run.result).toMatchObject({ subtype: 'success', result: 'File written.', num_turns: 2 });
      expect(readFileSync(filePath, 'utf8')).toBe('hello from Write\n');

      const main = server.mainRequests();
      expect(main).toHaveLength(2);
      expect(server.unmatchedRequests()).toHaveLength(0);
      const [result] = getToolResults(main[1]?.body);
      expect(result).toMatchObject({ toolUseId: 'toolu_write_1', isError: false });
      expect(result?.text).toContain('File created successfully');
      expect(result?.text).toContain(filePath);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'runs a Bash tool_use round trip and sends its output back',
    async () => {
      server.script(
        turn(toolUse('Bash', { command: 'echo "bash says $((6*7))" && pwd', description: 'Compute' })),
        turn(text('Bash finished.'), { match: { toolResult: { contains: 'bash says 42' } } }),
      );
      const run = await runClaude(sandbox, {
        args: [...PRINT_ARGS, '--allowedTools', 'Bash'],
        stdin: 'run a command',
        timeoutMs: RUN_TIMEOUT_MS,
      });
      expect(run.exitCode).toBe(0);
      expect(run.result).toMatchObject({ subtype: 'success', result: 'Bash finished.' });
      const [generatedId] = toolUseIdsOf(run.messages);
      expect(generatedId).toMatch(/^toolu_01/);
      const [result] = getToolResults(server.mainRequests()[1]?.body);
      expect(result).toEqual({ toolUseId: generatedId, text: `bash says 42\n${sandbox.cwd}`, isError: false });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'runs thinking plus two tool calls (Read and Bash) in one turn',
    async () => {
      writeFileSync(join(sandbox.cwd, 'notes.txt'), 'secret-word: banana\n');
      server.script(
        [
          thinking('I will read the notes and list the directory.'),
          text('Looking.'),
          toolUse('Read', { file_path: join(sandbox.cwd, 'notes.txt') }, { id: 'toolu_read' }),
          toolUse('Bash', { command: 'ls', description: 'List files' }, { id: 'toolu_ls' }),
        ],
        turn(text('The word is banana.'), {
          match: (r) => getToolResults(r.body).length === 2,
        }),
      );
      const run = await runClaude(sandbox, {
        args: [...PRINT_ARGS, '--allowedTools', 'Read', 'Bash'],
        stdin: 'what is the secret word?',
        timeoutMs: RUN_TIMEOUT_MS,
      });
      expect(run.exitCode).toBe(0);
      expect(run.result?.['result']).toBe('The word is banana.');
      const results = getToolResults(server.mainRequests()[1]?.body);
      expect(results.map((r) => r.toolUseId).sort()).toEqual(['toolu_ls', 'toolu_read']);
      expect(results.find((r) => r.toolUseId === 'toolu_read')?.text).toContain('secret-word: banana');
      expect(results.find((r) => r.toolUseId === 'toolu_ls')?.text).toContain('notes.txt');
      // The thinking block (with its signature) is sent back in the next request.
      const assistant = (server.mainRequests()[1]?.body as { messages: { role: string; content: unknown }[] }).messages.find(
        (m) => m.role === 'assistant',
      );
      expect(JSON.stringify(assistant?.content)).toContain('"type":"thinking"');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'reports a 529 after the retry as an is_error result',
    async () => {
      server.script(apiError(529, { times: 2 }));
      const run = await runClaude(sandbox, { args: PRINT_ARGS, stdin: 'hi', timeoutMs: RUN_TIMEOUT_MS });
      expect(run.exitCode).toBe(1);
      expect(run.result).toMatchObject({ subtype: 'success', is_error: true, api_error_status: 529 });
      expect(String(run.result?.['result'])).toContain('529');
      expect(run.messages.some((m) => m['subtype'] === 'api_retry')).toBe(true);
      // CLAUDE_CODE_MAX_RETRIES=1 → the first attempt plus one retry.
      expect(server.mainRequests().map((r) => r.status)).toEqual([529, 529]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'keeps auxiliary requests (preconnect, session title, prompt suggestion) off the scripted turns',
    async () => {
      // Nonessential traffic on (the title query and the /api/hello probe need it), SDK entrypoint.
      const sdkSandbox = await createCliSandbox({
        mock: server,
        prefix: SELFTEST_PREFIX,
        env: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: undefined, CLAUDE_CODE_ENTRYPOINT: 'sdk-ts' },
      });
      try {
        server.script(
          toolUse('Bash', { command: 'echo hi', description: 'Say hi' }),
          turn(text('main-loop answer'), { match: { toolResult: true } }),
        );
        const run = await runClaude(sdkSandbox, {
          args: [...PRINT_ARGS, '--input-format', 'stream-json', '--prompt-suggestions', '--allowedTools', 'Bash'],
          stdin: `${JSON.stringify({ type: 'user', message: { role: 'user', content: 'please run echo' } })}\n`,
          timeoutMs: RUN_TIMEOUT_MS,
        });
        expect(run.exitCode).toBe(0);
        expect(run.result?.['result']).toBe('main-loop answer');
        const auxKinds = server.auxiliaryRequests().map((r) => r.kind);
        expect(auxKinds).toContain('title');
        expect(auxKinds).toContain('suggestion');
        expect(server.mainRequests()).toHaveLength(2);
        expect(server.unmatchedRequests()).toHaveLength(0);
        expect(server.pendingTurns()).toHaveLength(0);
      } finally {
        await sdkSandbox.cleanup();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'streams slowly enough for SIGINT to interrupt the turn',
    async () => {
      // 2,000 chunks, 25 ms apart: the answer cannot be complete before the interrupt, even when a
      // loaded machine lets the CLI read nothing for many seconds (it then gets a burst, not the end).
      server.script(turn(text('word '.repeat(2000)), { chunkSize: 5, chunkDelayMs: 25 }));
      // Partial messages show when the answer is really streaming: interrupt then, not after a
      // fixed delay (on a loaded machine the CLI may not have reached the stream yet).
      const child = spawn(sandbox.claudePath, [...PRINT_ARGS, '--include-partial-messages'], { cwd: sandbox.cwd, env: sandbox.env });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.resume();
      const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
      const killer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
      try {
        child.stdin.end('write a long answer');
        await server.waitForMainRequests(1, 20_000);
        await expect.poll(() => stdout.includes('"text_delta"'), { timeout: 20_000, interval: 20 }).toBe(true);
        child.kill('SIGINT');
        const code = await exited;
        expect(code).toBe(0);
        const lines = stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        // The turn did not complete. The CLI usually says so in an error_during_execution result,
        // but now and then (seen once in about ten runs) it exits 0 on SIGINT without any result
        // line; never with a success. That the stream was cut is shown below: the request aborted.
        const result = lines.find((m) => m['type'] === 'result');
        if (result !== undefined) expect(result).toMatchObject({ subtype: 'error_during_execution' });
        // The main request, whichever order the CLI's requests came in; aborting may lag under load.
        await expect.poll(() => server.mainRequests()[0]?.aborted, { timeout: 15_000 }).toBe(true);
      } finally {
        clearTimeout(killer);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    },
    TEST_TIMEOUT_MS,
  );
});
