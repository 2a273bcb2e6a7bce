import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ClaudeCliError, query } from '../src/index.js';
import { buildArguments, parseRunOptions } from '../src/options.js';

describe('run options', () => {
  it('maps every option to a --flag=value argument and never puts the prompt on argv', () => {
    const directory = mkdtempSync(join(tmpdir(), 'driver-options-'));
    const options = parseRunOptions({
      cwd: directory,
      model: 'sonnet',
      fallbackModel: 'claude-haiku-5-5',
      allowedTools: ['Read', 'Bash(git log:*)', 'mcp__server__tool'],
      disallowedTools: ['WebFetch'],
      tools: ['Read', 'Bash'],
      permissionMode: 'plan',
      resume: '4f7b6a90-4c32-491b-a098-86c08d1d3a79',
      forkSession: true,
      agents: { reviewer: { description: 'Reviews', prompt: 'You review.', tools: ['Read'] } },
      agent: 'reviewer',
      systemPrompt: '--not-a-flag: just text',
      appendSystemPrompt: 'Be brief.',
      effort: 'high',
      settings: { hooks: {} },
      mcpConfig: { mcpServers: {} },
      strictMcpConfig: true,
      addDirectories: [directory],
      maxTurns: 3,
      maxBudgetUsd: 0.5,
      jsonSchema: { type: 'object' },
      includePartialMessages: true,
      includeHookEvents: true,
    });
    const args = buildArguments(options, { permissionPromptTool: true });
    expect(args.slice(0, 4)).toEqual(['-p', '--input-format=stream-json', '--output-format=stream-json', '--verbose']);
    expect(args).toContain('--model=sonnet');
    expect(args).toContain('--allowedTools=Read,Bash(git log:*),mcp__server__tool');
    expect(args).toContain('--tools=Read,Bash');
    expect(args).toContain('--permission-mode=plan');
    expect(args).toContain('--permission-prompt-tool=stdio');
    expect(args).toContain('--resume=4f7b6a90-4c32-491b-a098-86c08d1d3a79');
    expect(args).toContain('--fork-session');
    expect(args).toContain('--system-prompt=--not-a-flag: just text');
    expect(args).toContain(`--add-dir=${directory}`);
    expect(args).toContain('--max-turns=3');
    expect(args).toContain('--max-budget-usd=0.5');
    expect(args).toContain('--json-schema={"type":"object"}');
    expect(args).toContain(`--agents=${JSON.stringify({ reviewer: { description: 'Reviews', prompt: 'You review.', tools: ['Read'] } })}`);
    // Every argument is either a bare flag or --name=value: nothing can be taken for another flag.
    for (const argument of args.slice(1)) expect(argument).toMatch(/^--[A-Za-z-]+(=|$)/);
  });

  it.each([
    [{ model: '--dangerously-skip-permissions' }, 'model'],
    [{ model: 'sonnet; rm -rf /' }, 'model'],
    [{ allowedTools: ['Bash(a,b)'] }, 'allowedTools'],
    [{ allowedTools: ['-x'] }, 'allowedTools'],
    [{ resume: 'not-a-uuid' }, 'resume'],
    [{ sessionId: '--resume' }, 'sessionId'],
    [{ agent: '--agent' }, 'agent'],
    [{ cwd: 'relative/path' }, 'cwd'],
    [{ cwd: '/definitely/not/here' }, 'cwd'],
    [{ effort: 'extreme' }, 'effort'],
    [{ permissionMode: 'yolo' }, 'permissionMode'],
    [{ permissionMode: 'bypassPermissions' }, 'permissionMode'],
    [{ maxTurns: 0 }, 'maxTurns'],
    [{ maxBudgetUsd: -1 }, 'maxBudgetUsd'],
    [{ forkSession: true }, 'forkSession'],
    [{ agents: { x: { prompt: 'no description' } } }, 'agents'],
    [{ allowedTools: [`Bash(${'x'.repeat(200_000)})`] }, 'at most 1000 characters'],
  ])('rejects %j naming the field', (options, field) => {
    let caught: unknown;
    try {
      parseRunOptions(options);
    } catch (error) {
      caught = error;
    }
    expect(ClaudeCliError.isInstance(caught)).toBe(true);
    expect((caught as ClaudeCliError).code).toBe('CLAUDE_CLI_INVALID_OPTIONS');
    expect((caught as ClaudeCliError).message).toContain(field);
  });

  it('refuses an argument that Linux would refuse (over 128 KiB: spawn E2BIG), naming its flag', () => {
    const tooMany = Array.from({ length: 200 }, (_, index) => `Bash(command-${index} ${'x'.repeat(900)}:*)`);
    const options = parseRunOptions({ allowedTools: tooMany });
    let caught: unknown;
    try {
      buildArguments(options, { permissionPromptTool: false });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'CLAUDE_CLI_INVALID_OPTIONS' });
    expect((caught as Error).message).toMatch(/--allowedTools=… would be \d+ bytes, over the 100000-byte limit/);
    const prompt = parseRunOptions({ appendSystemPrompt: 'é'.repeat(60_000) });
    expect(() => buildArguments(prompt, { permissionPromptTool: false })).toThrow(/--append-system-prompt=… would be 120023 bytes/);
    expect(() => buildArguments(parseRunOptions({ appendSystemPrompt: 'é'.repeat(40_000) }), { permissionPromptTool: false })).not.toThrow();
  });

  it('rejects bad options before spawning anything', async () => {
    let spawned = false;
    const run = query({
      prompt: 'hi',
      model: '-x',
      spawn: () => {
        spawned = true;
        throw new Error('must not spawn');
      },
    });
    await expect(run.result).rejects.toMatchObject({ code: 'CLAUDE_CLI_INVALID_OPTIONS' });
    expect(spawned).toBe(false);
  });
});
