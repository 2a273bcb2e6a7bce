// The project's Claude Code slash commands as MCP prompts: listed, fetched with an argument, run
// through claude_ask (the CLI expands `/name args` itself), and prompts/list_changed on a change.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { text } from '@claude-code-mcp/test-harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { connect, createServerFixture, type ServerFixture } from './helpers.js';

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
