// The real Claude Code binary against the project's mock of the Messages API: every test runs the
// CLI's own tools in a temp directory and asserts on files, processes and the requests it sent.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { apiError, getLastUserTexts, getToolResults, text, thinking, toolUse, turn } from '@claude-code-mcp/test-harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  ClaudeCliError,
  createSession,
  detectClaudeVersion,
  isAssistantMessage,
  isResultMessage,
  isSystemMessage,
  listDescendants,
  query,
  resolveClaudeBinary,
  type ClaudeMessage,
} from '../src/index.js';
import { createFixture, isRunning, lastRequestTexts, waitForDescendant, type Fixture } from './helpers.js';

let fixture: Fixture;
beforeEach(async () => {
  fixture = await createFixture();
});
afterEach(async () => {
  await fixture.dispose();
});

async function collect(iterable: AsyncIterable<ClaudeMessage>): Promise<ClaudeMessage[]> {
  const messages: ClaudeMessage[] = [];
  try {
    for await (const message of iterable) messages.push(message);
  } catch {
    // The outcome is asserted through `result`.
  }
  return messages;
}

// A Bash command the CLI accepts (it refuses a bare long `sleep`) that keeps a child alive.
const LONG_BASH = 'for i in $(seq 1 120); do sleep 1; done';

describe('one-shot runs', () => {
  it('answers a text turn with typed messages and a result', async () => {
    fixture.mock.script(turn([thinking('Let me greet.'), text('Hello from the mock.')]));
    const run = query({ ...fixture.options, prompt: 'say hello' });
    const messages = await collect(run);
    const result = await run.result;

    expect(result.text).toBe('Hello from the mock.');
    expect(result.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.numTurns).toBe(1);
    expect(result.costUsd).toBeGreaterThanOrEqual(0);
    expect(messages.some((message) => isSystemMessage(message, 'init'))).toBe(true);
    expect(messages.filter(isAssistantMessage).flatMap((message) => message.message.content.map((block) => block.type))).toEqual([
      'thinking',
      'text',
    ]);
    expect(messages.at(-1)?.type).toBe('result');
    // The prompt went over stdin and reached the API.
    expect(getLastUserTexts(fixture.mock.mainRequests()[0]?.body)).toContain('say hello');
    await run.exited;
  });

  it('runs a Write tool_use round trip that creates the file on disk', async () => {
    const target = join(fixture.sandbox.cwd, 'hello.txt');
    fixture.mock.script(toolUse('Write', { file_path: target, content: 'hello, disk\n' }), turn(text('Wrote it.'), { match: { toolResult: true } }));
    const result = await query({ ...fixture.options, prompt: 'write hello.txt', allowedTools: ['Write'] }).result;

    expect(readFileSync(target, 'utf8')).toBe('hello, disk\n');
    expect(result.text).toBe('Wrote it.');
    expect(result.numTurns).toBe(2);
    expect(getToolResults(fixture.mock.mainRequests()[1]?.body)[0]?.isError).toBe(false);
  });

  it('runs a Bash round trip and sends the output back to the model', async () => {
    fixture.mock.script(
      toolUse('Bash', { command: 'echo "bash says $((6 * 7))" && echo made > made.txt', description: 'compute' }),
      turn(text('Done.'), { match: { toolResult: true } }),
    );
    const result = await query({ ...fixture.options, prompt: 'run bash', allowedTools: ['Bash'] }).result;

    expect(result.text).toBe('Done.');
    expect(readFileSync(join(fixture.sandbox.cwd, 'made.txt'), 'utf8')).toBe('made\n');
    expect(getToolResults(fixture.mock.mainRequests()[1]?.body)[0]?.text).toContain('bash says 42');
  });

  it('returns structured output for a JSON schema', async () => {
    fixture.mock.script(toolUse('StructuredOutput', { answer: 42 }), turn(text('ok'), { match: { toolResult: true } }));
    const result = await query({
      ...fixture.options,
      prompt: 'answer',
      jsonSchema: { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] },
    }).result;
    expect(result.structuredOutput).toEqual({ answer: 42 });
  });
});

describe('sessions', () => {
  it('runs three turns in one long-lived process', async () => {
    fixture.mock.script(text('one'), text('two'), text('three'));
    const session = await createSession(fixture.options);
    const pids = new Set<number | undefined>();
    const texts: string[] = [];
    for (const prompt of ['first', 'second', 'third']) {
      texts.push((await session.send(prompt).result).text);
      pids.add(session.pid);
    }
    expect(texts).toEqual(['one', 'two', 'three']);
    expect(pids.size).toBe(1);
    expect(isRunning(session.pid ?? -1)).toBe(true);
    // The third request carried the whole conversation.
    expect(lastRequestTexts(fixture.mock)).toEqual(expect.arrayContaining(['first', 'one', 'second', 'two', 'third']));
    expect(await session.close()).toEqual({ code: 0, signal: null });
  });

  it('queues a turn sent while another runs', async () => {
    fixture.mock.script(turn(text('slow answer'), { delayMs: 400 }), text('second answer'));
    const session = await createSession(fixture.options);
    const first = session.send('one');
    const second = session.send('two');
    expect(session.state).toBe('running');
    expect((await first.result).text).toBe('slow answer');
    expect((await second.result).text).toBe('second answer');
    await session.close();
  });

  it('resumes a session in a new process, and forks it into a new id', async () => {
    fixture.mock.script(text('remembered: blue'), text('still blue'), text('forked'));
    const first = await query({ ...fixture.options, prompt: 'my colour is blue' }).result;

    const resumed = await query({ ...fixture.options, prompt: 'what colour?', resume: first.sessionId }).result;
    expect(resumed.sessionId).toBe(first.sessionId);
    expect(lastRequestTexts(fixture.mock)).toEqual(expect.arrayContaining(['my colour is blue', 'remembered: blue', 'what colour?']));

    const forked = await query({ ...fixture.options, prompt: 'fork it', resume: first.sessionId, forkSession: true }).result;
    expect(forked.sessionId).not.toBe(first.sessionId);
    expect(lastRequestTexts(fixture.mock)).toEqual(expect.arrayContaining(['my colour is blue', 'fork it']));
  });

  it('keeps a turn the CLI starts on its own (a background command finished) apart from ours', async () => {
    fixture.mock.script(
      toolUse('Bash', { command: 'sleep 1; echo bg-finished', description: 'bg', run_in_background: true }),
      turn(text('started it'), { match: { toolResult: true } }),
      turn(text('AUTO-TURN ANSWER'), { match: { userText: /bg-finished|background/i }, delayMs: 1_500 }),
      turn(text('answer to the second question'), { match: { userText: 'second question' } }),
      turn(text('answer to the third question'), { match: { userText: 'third question' } }),
    );
    const session = await createSession({ ...fixture.options, allowedTools: ['Bash'] });
    expect((await session.send('start it in the background').result).text).toBe('started it');
    // The background command finishes after ~1 s; the CLI then starts a turn of its own, whose
    // model call the mock holds for 1.5 s: our next turn is sent while that one runs.
    await fixture.mock.waitForMainRequests(3, 15_000);
    const second = await session.send('second question').result;
    expect(second.text).toBe('answer to the second question');
    expect(second.message.user_message_uuid).toBeDefined();
    expect((await session.send('third question').result).text).toBe('answer to the third question');
    await session.close();
  });

  it('forks from an earlier message into a session id of our choosing', async () => {
    fixture.mock.script(text('one'), text('two'), text('three'), text('forked'));
    const first = await query({ ...fixture.options, prompt: 'first' }).result;
    const second = query({ ...fixture.options, prompt: 'second', resume: first.sessionId });
    const uuids: string[] = [];
    for await (const message of second) if (isAssistantMessage(message) && message.uuid) uuids.push(message.uuid);
    await second.result;
    await query({ ...fixture.options, prompt: 'third', resume: first.sessionId }).result;
    const forkId = '0b7c0a1e-5f1d-4c4e-9d51-2f1f8a0c3b21';
    const forked = await query({
      ...fixture.options,
      prompt: 'after the fork',
      resume: first.sessionId,
      forkSession: true,
      sessionId: forkId,
      resumeSessionAt: uuids.at(-1) ?? '',
    }).result;
    expect(forked.sessionId).toBe(forkId);
    const texts = lastRequestTexts(fixture.mock);
    expect(texts).toEqual(expect.arrayContaining(['first', 'one', 'second', 'two', 'after the fork']));
    expect(texts).not.toContain('third');
  });

  it('reports an unknown session id as CLAUDE_CLI_SESSION_NOT_FOUND', async () => {
    const run = query({ ...fixture.options, prompt: 'hi', resume: '00000000-0000-4000-8000-000000000000' });
    await expect(run.result).rejects.toMatchObject({ code: 'CLAUDE_CLI_SESSION_NOT_FOUND' });
  });

  it('changes permission mode and model over the control protocol', async () => {
    fixture.mock.script(text('a'), text('b'));
    const session = await createSession(fixture.options);
    await session.send('first').result;
    await session.setModel('claude-haiku-5-5');
    await session.setPermissionMode('acceptEdits');
    await session.send('second').result;
    expect(fixture.mock.mainRequests().at(-1)?.model).toBe('claude-haiku-5-5');
    await session.close();
  });
});

describe('cancellation', () => {
  it('aborts mid-stream: the call returns promptly and no process is left', async () => {
    fixture.mock.script(turn(text('word '.repeat(400)), { chunkSize: 5, chunkDelayMs: 20 }));
    const controller = new AbortController();
    const run = query({ ...fixture.options, prompt: 'talk a lot', signal: controller.signal });
    const pid = (await run.pid) ?? -1;
    await fixture.mock.waitForMainRequests(1, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    controller.abort();
    const error = await run.result.catch((caught: unknown) => caught);
    expect(ClaudeCliError.isInstance(error) && error.code).toBe('CLAUDE_CLI_INTERRUPTED');
    expect(Date.now() - started).toBeLessThan(5_000);
    await run.exited;
    expect(isRunning(pid)).toBe(false);
  });

  it('aborts mid-Bash: the CLI and the Bash child are both gone', async () => {
    fixture.mock.script(toolUse('Bash', { command: LONG_BASH, description: 'wait' }), turn(text('never'), { match: { toolResult: true } }));
    const controller = new AbortController();
    const run = query({ ...fixture.options, prompt: 'run', allowedTools: ['Bash'], signal: controller.signal });
    const pid = (await run.pid) ?? -1;
    const tree = await waitForDescendant(pid, /^sleep 1$/);
    controller.abort();
    await expect(run.result).rejects.toMatchObject({ code: 'CLAUDE_CLI_INTERRUPTED' });
    await run.exited;
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const survivor of [pid, ...tree]) expect(isRunning(survivor), `pid ${survivor}`).toBe(false);
  });

  it('interrupts a turn in a live session and keeps the session usable', async () => {
    fixture.mock.script(toolUse('Bash', { command: LONG_BASH, description: 'wait' }), turn(text('after interrupt'), { match: { userText: 'again' } }));
    const session = await createSession({ ...fixture.options, allowedTools: ['Bash'] });
    const controller = new AbortController();
    const first = session.send('run', { signal: controller.signal });
    const tree = await waitForDescendant(session.pid ?? -1, /^sleep 1$/);
    controller.abort();
    await expect(first.result).rejects.toMatchObject({ code: 'CLAUDE_CLI_INTERRUPTED' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const child of tree) expect(isRunning(child), `pid ${child}`).toBe(false);
    expect(isRunning(session.pid ?? -1)).toBe(true);
    expect((await session.send('again').result).text).toBe('after interrupt');
    await session.close();
  });

  it('times out with CLAUDE_CLI_TIMEOUT and leaves nothing running', async () => {
    fixture.mock.script(toolUse('Bash', { command: LONG_BASH, description: 'wait' }));
    // Long enough for a loaded machine to reach the Bash call first; the timeout must cut the run there.
    const run = query({ ...fixture.options, prompt: 'run', allowedTools: ['Bash'], timeoutMs: 8_000 });
    const pid = (await run.pid) ?? -1;
    const tree = await waitForDescendant(pid, /^sleep 1$/);
    await expect(run.result).rejects.toMatchObject({ code: 'CLAUDE_CLI_TIMEOUT' });
    await run.exited;
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const survivor of [pid, ...tree]) expect(isRunning(survivor), `pid ${survivor}`).toBe(false);
  });

  it('kills a CLI that ignores the interrupt: SIGINT, SIGTERM, then SIGKILL and a sweep', async () => {
    fixture.mock.script(toolUse('Bash', { command: LONG_BASH, description: 'wait' }));
    const session = await createSession({ ...fixture.options, allowedTools: ['Bash'], killGraceMs: 300 });
    const turnHandle = session.send('run');
    const pid = session.pid ?? -1;
    const tree = await waitForDescendant(pid, /^sleep 1$/);
    // Freeze the CLI so it can answer neither the interrupt nor SIGINT/SIGTERM: only SIGKILL works,
    // which orphans the Bash child; the sweep must find it.
    process.kill(pid, 'SIGSTOP');
    const closing = session.close({ force: true });
    await expect(turnHandle.result).rejects.toMatchObject({ code: 'CLAUDE_CLI_INTERRUPTED' });
    const exit = await closing;
    expect(exit.signal).toBe('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const survivor of [pid, ...tree]) expect(isRunning(survivor), `pid ${survivor}`).toBe(false);
  });
});

describe('errors', () => {
  it('maps a 529 to CLAUDE_CLI_OVERLOADED and a 401 to CLAUDE_CLI_AUTH_FAILED', async () => {
    fixture.mock.script(apiError(529, { repeat: true }));
    const overloaded = await query({ ...fixture.options, prompt: 'hi' }).result.catch((error: unknown) => error);
    expect(overloaded).toMatchObject({ code: 'CLAUDE_CLI_OVERLOADED', details: { apiStatus: 529 } });

    fixture.mock.reset();
    fixture.mock.script(apiError(401, { repeat: true }));
    const unauthorised = await query({ ...fixture.options, prompt: 'hi' }).result.catch((error: unknown) => error);
    expect(unauthorised).toMatchObject({ code: 'CLAUDE_CLI_AUTH_FAILED' });
  });

  it('explains a CLI with no credentials at all as CLAUDE_CLI_AUTH_FAILED, with what to set', async () => {
    const { ANTHROPIC_API_KEY: _key, ...withoutKey } = fixture.sandbox.env;
    const failure = await query({ ...fixture.options, env: withoutKey, prompt: 'hi' }).result.catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'CLAUDE_CLI_AUTH_FAILED' });
    expect((failure as Error).message).toMatch(/Not logged in.*ANTHROPIC_API_KEY/);
    expect(fixture.mock.mainRequests()).toHaveLength(0);
  });

  it('surfaces max-turns and budget limits as such', async () => {
    fixture.mock.script(turn(toolUse('Bash', { command: 'echo again', description: 'loop' }), { repeat: true }));
    const turns = await query({ ...fixture.options, prompt: 'loop', allowedTools: ['Bash'], maxTurns: 2 }).result.catch((error: unknown) => error);
    expect(turns).toMatchObject({ code: 'CLAUDE_CLI_MAX_TURNS' });

    const budget = await query({ ...fixture.options, prompt: 'loop', allowedTools: ['Bash'], maxBudgetUsd: 0.0001 }).result.catch(
      (error: unknown) => error,
    );
    expect(budget).toMatchObject({ code: 'CLAUDE_CLI_MAX_BUDGET' });
  });

  // Stand-ins for a broken binary: the failure modes of a process, not of Claude Code's protocol.
  it('reports a process that dies without a result as CLAUDE_CLI_EXITED with its stderr', async () => {
    const fake = join(fixture.sandbox.root, 'dies.sh');
    writeFileSync(fake, '#!/bin/sh\necho "boom: unsupported" >&2\nexit 3\n', { mode: 0o755 });
    const error = await query({ ...fixture.options, executable: fake, checkVersion: false, prompt: 'hi' }).result.catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'CLAUDE_CLI_EXITED', details: { exitCode: 3 } });
    expect((error as ClaudeCliError).message).toContain('boom: unsupported');
  });

  it('reports stdout that is not stream-json as CLAUDE_CLI_MALFORMED_OUTPUT', async () => {
    const fake = join(fixture.sandbox.root, 'chatty.sh');
    writeFileSync(fake, '#!/bin/sh\nread line\necho "Welcome to something else"\nexit 0\n', { mode: 0o755 });
    const run = query({ ...fixture.options, executable: fake, checkVersion: false, prompt: 'hi' });
    const messages = await collect(run);
    await expect(run.result).rejects.toMatchObject({ code: 'CLAUDE_CLI_MALFORMED_OUTPUT' });
    expect(messages).toEqual([expect.objectContaining({ type: 'malformed_line', raw: 'Welcome to something else' })]);
  });

  it('rejects a binary older than the minimum version', async () => {
    const fake = join(fixture.sandbox.root, 'old-claude.sh');
    writeFileSync(fake, '#!/bin/sh\necho "1.0.0 (Claude Code)"\n', { mode: 0o755 });
    await expect(query({ ...fixture.options, executable: fake, prompt: 'hi' }).result).rejects.toMatchObject({
      code: 'CLAUDE_CLI_VERSION_UNSUPPORTED',
    });
  });
});

describe('permissions, hooks and rewind', () => {
  it('a canUseTool denial stops a Write', async () => {
    const target = join(fixture.sandbox.cwd, 'denied.txt');
    fixture.mock.script(toolUse('Write', { file_path: target, content: 'nope' }), turn(text('ok, not written'), { match: { toolResult: true } }));
    const asked: string[] = [];
    const result = await query({
      ...fixture.options,
      prompt: 'write',
      canUseTool: (toolName) => {
        asked.push(toolName);
        return { behavior: 'deny', message: 'the host says no' };
      },
    }).result;
    expect(asked).toEqual(['Write']);
    expect(existsSync(target)).toBe(false);
    expect(result.permissionDenials.map((denial) => denial.tool_name)).toEqual(['Write']);
    expect(getToolResults(fixture.mock.mainRequests()[1]?.body)[0]?.text).toContain('the host says no');
  });

  it('an allow with changed input is applied', async () => {
    const target = join(fixture.sandbox.cwd, 'changed.txt');
    fixture.mock.script(toolUse('Write', { file_path: target, content: 'original' }), turn(text('done'), { match: { toolResult: true } }));
    await query({
      ...fixture.options,
      prompt: 'write',
      canUseTool: (_toolName, input) => ({ behavior: 'allow', updatedInput: { ...input, content: 'changed by the host' } }),
    }).result;
    expect(readFileSync(target, 'utf8')).toBe('changed by the host');
  });

  it('a PreToolUse hook callback blocks a Bash call', async () => {
    fixture.mock.script(toolUse('Bash', { command: 'echo forbidden > hooked.txt', description: 'x' }), turn(text('blocked'), { match: { toolResult: true } }));
    const seen: unknown[] = [];
    const result = await query({
      ...fixture.options,
      prompt: 'run',
      allowedTools: ['Bash'],
      hooks: {
        PreToolUse: [
          {
            matcher: 'Bash',
            hooks: [
              (input) => {
                seen.push(input['tool_input']);
                return { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'hook says no' } };
              },
            ],
          },
        ],
      },
    }).result;
    expect(seen).toEqual([expect.objectContaining({ command: 'echo forbidden > hooked.txt' })]);
    expect(existsSync(join(fixture.sandbox.cwd, 'hooked.txt'))).toBe(false);
    expect(result.text).toBe('blocked');
    expect(getToolResults(fixture.mock.mainRequests()[1]?.body)[0]?.text).toContain('hook says no');
  });

  it('rewinds a file changed two turns ago', async () => {
    const target = join(fixture.sandbox.cwd, 'notes.txt');
    fixture.mock.script(
      toolUse('Write', { file_path: target, content: 'v1\n' }),
      turn(text('wrote v1'), { match: { toolResult: true } }),
      turn(toolUse('Write', { file_path: target, content: 'v2\n' }), { match: { userText: 'make v2' } }),
      turn(text('wrote v2'), { match: { toolResult: true } }),
      turn(text('just talking'), { match: { userText: 'chat' } }),
    );
    const session = await createSession({ ...fixture.options, allowedTools: ['Write'], enableFileCheckpointing: true });
    await session.send('make v1').result;
    const second = session.send('make v2');
    await second.result;
    await session.send('chat').result;
    expect(readFileSync(target, 'utf8')).toBe('v2\n');

    const preview = await session.rewindFiles(second.userMessageId, { dryRun: true });
    expect(preview.canRewind).toBe(true);
    await session.rewindFiles(second.userMessageId);
    expect(readFileSync(target, 'utf8')).toBe('v1\n');
    await session.close();
  });
});

describe('binary resolution', () => {
  it('finds the installed platform package binary and reads its version', async () => {
    const resolved = resolveClaudeBinary({ env: { PATH: '/usr/bin:/bin' } });
    expect(resolved.source).toBe('package');
    expect(await detectClaudeVersion(resolved.path)).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('prefers CLAUDE_CODE_PATH and rejects one that is not executable', () => {
    expect(resolveClaudeBinary({ env: { CLAUDE_CODE_PATH: fixture.sandbox.claudePath } })).toEqual({
      path: fixture.sandbox.claudePath,
      source: 'CLAUDE_CODE_PATH',
    });
    expect(() => resolveClaudeBinary({ env: { CLAUDE_CODE_PATH: '/nope/claude' } })).toThrow(/CLAUDE_CODE_PATH/);
  });

  it('says how to install Claude Code when no binary is found', async () => {
    // In a clean process: pnpm's NODE_PATH (set for test runners) would otherwise find the package.
    const { execFileSync } = await import('node:child_process');
    const entry = new URL('../dist/index.js', import.meta.url).href;
    const output = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { resolveClaudeBinary } from ${JSON.stringify(entry)};
         try { resolveClaudeBinary({ env: {}, searchFrom: ['/'] }); } catch (error) { process.stdout.write(JSON.stringify([error.code, error.message])); }`,
      ],
      { env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8' },
    );
    const [code, message] = JSON.parse(output) as [string, string];
    expect(code).toBe('CLAUDE_CLI_NOT_FOUND');
    expect(message).toContain('npm install -g @anthropic-ai/claude-code');
  });
});

describe('parent exit', () => {
  it('leaves no CLI or Bash process behind when the parent Node process exits', async () => {
    fixture.mock.script(toolUse('Bash', { command: LONG_BASH, description: 'wait' }));
    const script = join(fixture.sandbox.root, 'parent.mjs');
    const driverEntry = new URL('../dist/index.js', import.meta.url).href;
    writeFileSync(
      script,
      `import { query, listDescendants } from ${JSON.stringify(driverEntry)};
       import { readFileSync } from 'node:fs';
       const options = JSON.parse(process.argv[2]);
       const run = query({ ...options, prompt: 'run', allowedTools: ['Bash'] });
       const pid = await run.pid;
       for (;;) {
         const tree = listDescendants(pid);
         if (tree.some((e) => { try { return readFileSync('/proc/' + e.pid + '/cmdline', 'utf8').startsWith('sleep'); } catch { return false; } })) {
           process.stderr.write(JSON.stringify([pid, ...tree.map((e) => e.pid)]) + '\\n');
           process.exit(0);
         }
         await new Promise((r) => setTimeout(r, 50));
       }`,
    );
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [script, JSON.stringify(fixture.options)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const pids = JSON.parse(stderr.trim().split('\n').at(-1) ?? '[]') as number[];
    expect(pids.length).toBeGreaterThan(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const pid of pids) expect(isRunning(pid), `pid ${pid}`).toBe(false);
    expect(listDescendants(process.pid).filter((entry) => pids.includes(entry.pid))).toEqual([]);
  });
});

describe('results', () => {
  it('yields the result message last and isResultMessage finds it', async () => {
    fixture.mock.script(text('x'));
    const messages = await collect(query({ ...fixture.options, prompt: 'hi' }));
    expect(messages.filter(isResultMessage)).toHaveLength(1);
  });
});
