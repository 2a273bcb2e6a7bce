// claude_subagent_list, claude_plugin_list and claude_plugin_install through the built server,
// with real agent files and a real local plugin marketplace handled by the real CLI.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { getLastUserTexts, getSystemTexts, text } from '@claude-code-mcp/test-harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { connect, createServerFixture, type ServerFixture } from './helpers.js';

let fixture: ServerFixture;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await fixture.dispose();
});

const put = (path: string, content: string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
};

type Agent = { name: string; source: string; description: string; model: string | null; tools: string[] | null; error?: string };

describe('subagents and plugins', () => {
  it('installs a plugin from a local marketplace, then lists it and its agent beside project, user and built-in agents', async () => {
    // Inside the roots (the working directory): a marketplace elsewhere on the host is refused.
    const marketplace = join(fixture.sandbox.cwd, 'marketplace');
    put(
      join(marketplace, '.claude-plugin', 'marketplace.json'),
      JSON.stringify({ name: 'localmkt', owner: { name: 'Tests' }, plugins: [{ name: 'demo', source: './plugins/demo', description: 'Demo plugin', version: '0.1.0' }] }),
    );
    put(join(marketplace, 'plugins', 'demo', '.claude-plugin', 'plugin.json'), JSON.stringify({ name: 'demo', version: '0.1.0', description: 'Demo plugin' }));
    put(join(marketplace, 'plugins', 'demo', 'agents', 'demo-agent.md'), '---\nname: demo-agent\ndescription: Demo agent from a plugin\nmodel: haiku\n---\nYou are the demo agent.\n');
    put(join(fixture.sandbox.cwd, '.claude', 'agents', 'reviewer.md'), '---\nname: reviewer\ndescription: Project reviewer\ntools: Read, Grep\nmodel: sonnet\n---\nReview.\n');
    put(join(fixture.sandbox.configDir, 'agents', 'helper.md'), '---\nname: helper\ndescription: User helper\n---\nHelp.\n');
    put(join(fixture.sandbox.cwd, '.claude', 'agents', 'broken.md'), '---\nname: broken\n---\nno description\n');

    const { client, close } = await connect(fixture);
    const installed = await client.callTool({
      name: 'claude_plugin_install',
      arguments: { plugin: 'demo', marketplace: 'localmkt', marketplaceSource: marketplace, scope: 'user' },
    });
    expect(installed.isError, JSON.stringify(installed.content)).toBeFalsy();
    expect(installed.structuredContent).toMatchObject({ plugin: 'demo@localmkt', scope: 'user', outcome: 'ok' });

    const plugins = (await client.callTool({ name: 'claude_plugin_list', arguments: {} })).structuredContent as {
      installed: { id: string }[];
      marketplaces: { name: string }[];
    };
    expect(plugins.installed.map((plugin) => plugin.id)).toContain('demo@localmkt');
    expect(plugins.marketplaces.map((entry) => entry.name)).toContain('localmkt');

    const { agents } = (await client.callTool({ name: 'claude_subagent_list', arguments: {} })).structuredContent as { agents: Agent[] };
    const byName = Object.fromEntries(agents.map((agent) => [agent.name, agent]));
    expect(byName['reviewer']).toMatchObject({ source: 'project', tools: ['Read', 'Grep'], model: 'sonnet' });
    expect(byName['helper']).toMatchObject({ source: 'user' });
    expect(byName['demo:demo-agent']).toMatchObject({ source: 'plugin', model: 'haiku' });
    expect(byName['Explore']).toMatchObject({ source: 'built-in' });
    expect(byName['broken']?.error).toBeDefined();
    await close();
  });

  it('claude_ask with an unknown subagent is a tool error that lists the available ones', async () => {
    put(join(fixture.sandbox.cwd, '.claude', 'agents', 'reviewer.md'), '---\nname: reviewer\ndescription: Project reviewer\n---\nReview.\n');
    const { client, close } = await connect(fixture);
    const result = await client.callTool({ name: 'claude_ask', arguments: { query: 'review', subagent: 'reviwer' } });
    expect(result.isError).toBe(true);
    const message = JSON.stringify(result.content);
    expect(message).toContain('MCP_TOOLS_AGENT_NOT_FOUND');
    expect(message).toContain('reviewer');
    expect(message).toContain('general-purpose');
    // A background run is checked the same way before it is started.
    const background = await client.callTool({ name: 'claude_ask', arguments: { query: 'review', subagent: 'reviwer', backgroundTask: true } });
    expect(background.isError).toBe(true);
    expect(JSON.stringify(background.content)).toContain('MCP_TOOLS_AGENT_NOT_FOUND');
    expect(fixture.mock.requests).toHaveLength(0);
    await close();
  });

  it('@name at the start of a query runs as that subagent; an @file mention stays in the prompt', async () => {
    put(join(fixture.sandbox.cwd, '.claude', 'agents', 'reviewer.md'), '---\nname: reviewer\ndescription: Project reviewer\n---\nYou are the careful reviewer.\n');
    fixture.mock.script(text('reviewed'), text('read it'));
    const { client, close } = await connect(fixture);
    await client.callTool({ name: 'claude_ask', arguments: { query: '@reviewer look at this change' } });
    const asAgent = fixture.mock.mainRequests()[0];
    expect(getSystemTexts(asAgent?.body).join('\n')).toContain('You are the careful reviewer.');
    expect(getLastUserTexts(asAgent?.body).join('\n')).toContain('look at this change');
    expect(getLastUserTexts(asAgent?.body).join('\n')).not.toContain('@reviewer');
    await client.callTool({ name: 'claude_ask', arguments: { query: '@package.json which version is this?' } });
    expect(getLastUserTexts(fixture.mock.mainRequests()[1]?.body).join('\n')).toContain('@package.json which version is this?');
    await close();
  });

  it('adds only marketplaces the operator allows: a directory inside the roots, or a remote one in ALLOWED_MARKETPLACES', async () => {
    const outside = join(fixture.sandbox.root, 'elsewhere-marketplace');
    put(join(outside, '.claude-plugin', 'marketplace.json'), JSON.stringify({ name: 'elsewhere', owner: { name: 'Tests' }, plugins: [] }));
    const { client, close } = await connect(fixture);
    const local = await client.callTool({ name: 'claude_plugin_install', arguments: { plugin: 'demo', marketplace: 'elsewhere', marketplaceSource: outside } });
    expect(local.isError).toBe(true);
    expect(JSON.stringify(local.content)).toContain('MCP_TOOLS_PATH_OUTSIDE_ROOTS');
    const remote = await client.callTool({ name: 'claude_plugin_install', arguments: { plugin: 'demo', marketplace: 'x', marketplaceSource: 'someone/their-marketplace' } });
    expect(remote.isError).toBe(true);
    expect(JSON.stringify(remote.content)).toContain('ALLOWED_MARKETPLACES');
    const listed = await client.callTool({ name: 'claude_plugin_list', arguments: {} });
    expect(JSON.stringify(listed.structuredContent)).not.toContain('elsewhere');
    await close();
    // Listed by the operator: the policy lets it through (the CLI then fetches it, which fails here: no network).
    const allowed = await connect({ ...fixture, env: { ...fixture.env, ALLOWED_MARKETPLACES: 'someone/their-marketplace' } });
    const fetched = await allowed.client.callTool({ name: 'claude_plugin_install', arguments: { plugin: 'demo', marketplace: 'x', marketplaceSource: 'someone/their-marketplace' } });
    expect(JSON.stringify(fetched.content)).not.toContain('ALLOWED_MARKETPLACES');
    await allowed.close();
  });

  it('refuses a marketplace source that is not an absolute directory, repo or URL', async () => {
    const { client, close } = await connect(fixture);
    const result = await client.callTool({ name: 'claude_plugin_install', arguments: { plugin: 'demo', marketplace: 'x', marketplaceSource: '../relative' } });
    expect(result.isError).toBe(true);
    const flag = await client.callTool({ name: 'claude_plugin_install', arguments: { plugin: '--help' } });
    expect(flag.isError).toBe(true);
    await close();
  });
});
