// The slash commands as prompts over HTTP on 2026-07-28: listed per request, and a change reaches
// the client's subscriptions/listen stream as prompts/list_changed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { Client, StreamableHTTPClientTransport, type Prompt } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, startServer, type RunningServer, type ServerFixture } from './helpers.js';

let fixture: ServerFixture;
let server: RunningServer | undefined;
beforeEach(async () => {
  fixture = await createServerFixture();
  mkdirSync(join(fixture.sandbox.cwd, '.claude', 'commands'), { recursive: true });
  writeFileSync(join(fixture.sandbox.cwd, '.claude', 'commands', 'greet.md'), '---\ndescription: Greets someone\n---\nSay hello to $ARGUMENTS.\n');
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await fixture.dispose();
});

describe('slash commands as prompts (2026-07-28, HTTP)', () => {
  it('lists them, and a new command file reaches the listen stream as prompts/list_changed', async () => {
    server = await startServer(fixture);
    const updates: string[][] = [];
    let notified = () => undefined as void;
    const changed = new Promise<void>((resolve) => (notified = resolve));
    const onChanged = (_error: Error | null, prompts: Prompt[] | null) => {
      updates.push((prompts ?? []).map((prompt) => prompt.name));
      notified();
    };
    const client = new Client({ name: 'http-prompts', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' }, listChanged: { prompts: { onChanged, debounceMs: 0 } } });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', server.origin)));
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(['greet']);
    // Give the listen stream a moment to be acknowledged before the change.
    await new Promise((resolve) => setTimeout(resolve, 500));
    writeFileSync(join(fixture.sandbox.cwd, '.claude', 'commands', 'deploy.md'), 'Deploy $ARGUMENTS.\n');
    await changed;
    expect(updates.at(-1)).toEqual(['deploy', 'greet']);
    await client.close();
  });
});
