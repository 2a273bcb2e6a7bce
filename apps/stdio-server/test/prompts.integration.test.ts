// The project's Claude Code slash commands as MCP prompts: listed, fetched with an argument, run
// through claude_ask (the CLI expands `/name args` itself), and prompts/list_changed on a change.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { text } from '@claude-code-mcp/test-harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { connect, createServerFixture, SERVER_ENTRY, type ServerFixture } from './helpers.js';

let fixture: ServerFixture;
beforeEach(async () => {
  fixture = await createServerFixture();
  const commands = join(fixture.sandbox.cwd, '.claude', 'commands');
  mkdirSync(join(commands, 'team'), { recursive: true });
  writeFileSync(join(commands, 'greet.md'), '---\ndescription: Greets someone by name\nargument-hint: <name>\n---\nSay hello to $ARGUMENTS, politely.\n');
  writeFileSync(join(commands, 'team', 'review.md'), 'Review the code of $ARGUMENTS.\n');
});
afterEach(async () => {
  await fixture.dispose();
});

describe('slash commands as prompts', () => {
  it('lists them, gets one with its argument, and claude_ask runs the command as the CLI expands it', async () => {
    const { client, close } = await connect(fixture);
    expect(client.getServerCapabilities()?.prompts).toEqual({ listChanged: true });
    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => [prompt.name, prompt.title])).toEqual([
      ['greet', '/greet'],
      ['team:review', '/team:review'],
    ]);
    expect(prompts[0]?.description).toContain('Greets someone by name');
    expect(prompts[0]?.arguments).toEqual([{ name: 'arguments', description: '<name>', required: false }]);

    const got = await client.getPrompt({ name: 'greet', arguments: { arguments: 'Bob the builder' } });
    const message = got.messages[0]?.content;
    expect(message?.type === 'text' ? message.text : '').toContain('call the claude_ask tool with the query "/greet Bob the builder"');
    await expect(client.getPrompt({ name: 'nope' })).rejects.toThrow(/No prompt nope/);

    fixture.mock.script(text('greeted'));
    const result = await client.callTool({ name: 'claude_ask', arguments: { query: '/greet Bob the builder' } });
    expect((result.structuredContent as { result: string }).result).toBe('greeted');
    const sent = JSON.stringify(fixture.mock.requests.map((request) => request.body));
    expect(sent).toContain('Say hello to Bob the builder, politely.');
    await close();
  });

  it('tells the client when the commands change', async () => {
    const { client, close } = await connect(fixture);
    const changed = new Promise<void>((resolve) => client.setNotificationHandler('notifications/prompts/list_changed', () => resolve()));
    writeFileSync(join(fixture.sandbox.cwd, '.claude', 'commands', 'deploy.md'), 'Deploy $ARGUMENTS.\n');
    await changed;
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toContain('deploy');
    await close();
  });
});

describe('slash commands as prompts (2026-07-28, stdio)', () => {
  it('a change reaches the connection\'s subscriptions/listen stream as prompts/list_changed', async () => {
    const child = spawn(process.execPath, [SERVER_ENTRY], { env: fixture.env, cwd: fixture.sandbox.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.resume();
    const lines: Record<string, unknown>[] = [];
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) if (part) lines.push(JSON.parse(part) as Record<string, unknown>);
    });
    const envelope = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
    const send = (message: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    const seen = (method: string) => expect.poll(() => lines.find((line) => line['method'] === method), { timeout: 10_000 }).toBeDefined();
    send({ id: 1, method: 'prompts/list', params: { _meta: envelope } });
    await expect.poll(() => lines.find((line) => line['id'] === 1), { timeout: 10_000 }).toMatchObject({ result: { prompts: expect.arrayContaining([expect.objectContaining({ name: 'greet' })]) as unknown } });
    send({ id: 2, method: 'subscriptions/listen', params: { _meta: envelope, notifications: { promptsListChanged: true } } });
    await seen('notifications/subscriptions/acknowledged');
    writeFileSync(join(fixture.sandbox.cwd, '.claude', 'commands', 'deploy.md'), 'Deploy $ARGUMENTS.\n');
    await seen('notifications/prompts/list_changed');
    const change = lines.find((line) => line['method'] === 'notifications/prompts/list_changed') as { params: { _meta: Record<string, unknown> } };
    expect(change.params._meta['io.modelcontextprotocol/subscriptionId']).toBeDefined();
    child.stdin.end();
    await new Promise((resolve) => child.on('close', resolve));
  });
});
