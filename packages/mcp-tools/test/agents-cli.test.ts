/**
 * listAgents against the real `claude` binary: the names it reports in `system/init.agents`, and the
 * descriptions and models of the `initialize` control response, for the same files.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import {
  createCliSandbox,
  createMockAnthropicServer,
  runClaude,
  text,
  type CliSandbox,
  type MockAnthropicServer,
} from '@claude-code-mcp/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { listAgents, type AgentInfo } from '../src/agents/index.js';

const RUN_TIMEOUT_MS = 30_000;
const TEST_TIMEOUT_MS = 60_000;

let server: MockAnthropicServer;
let sandbox: CliSandbox;
let pluginDir: string;

async function put(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

function agentFile(name: string, description: string, extra = ''): string {
  return `---\nname: ${name}\ndescription: ${description}\n${extra}---\nYou are ${name}.\n`;
}

beforeAll(async () => {
  server = await createMockAnthropicServer();
  sandbox = await createCliSandbox({ mock: server, prefix: 'mcp-tools-agents-cli-' });
  const project = path.join(sandbox.cwd, '.claude', 'agents');
  const nested = path.join(sandbox.cwd, 'pkg');
  const user = path.join(sandbox.configDir, 'agents');
  pluginDir = path.join(sandbox.root, 'inline-plugin');

  await put(path.join(project, 'clash.md'), agentFile('clash', 'PROJECT version', 'model: haiku\n'));
  await put(path.join(user, 'clash.md'), agentFile('clash', 'USER version', 'model: sonnet\n'));
  await put(path.join(nested, '.claude', 'agents', 'clash.md'), agentFile('clash', 'NESTED version'));
  await put(path.join(project, 'Explore.md'), agentFile('Explore', 'project override of a built-in'));
  await put(path.join(user, 'Plan.md'), agentFile('Plan', 'user override of a built-in', 'model: opus\n'));
  await put(path.join(project, 'team', 'deep.md'), agentFile('Deep-Agent', 'in a sub-folder', 'tools: Read, Grep\n'));
  await put(path.join(user, 'nested', 'user-deep.md'), agentFile('user-deep', 'user sub-folder'));
  await put(path.join(project, 'a-dup.md'), agentFile('dup', 'first file'));
  await put(path.join(project, 'z-dup.md'), agentFile('dup', 'second file'));
  await put(path.join(project, 'lenient.md'), agentFile('lenient', 'a: b: c'));
  await put(path.join(project, 'escaped.md'), agentFile('escaped', 'line one\\nline two', 'model: " INHERIT "\n'));
  await put(path.join(project, 'bad-yaml.md'), '---\nname: bad-yaml\ndescription: "unclosed\n---\nbody\n');
  await put(path.join(project, 'no-desc.md'), '---\nname: no-desc\n---\nbody\n');
  await put(path.join(project, 'num-desc.md'), '---\nname: num-desc\ndescription: 42\n---\nbody\n');
  await put(path.join(project, 'colon.md'), agentFile('"a:b"', 'colon'));
  await put(path.join(project, 'prose.md'), '# notes\n');
  await put(path.join(project, 'UPPER.MD'), agentFile('upper', 'suffix is case-sensitive here'));
  await put(path.join(sandbox.root, '.claude', 'agents', 'parent.md'), agentFile('from-parent', 'a folder above the cwd'));

  await put(path.join(pluginDir, '.claude-plugin', 'plugin.json'), JSON.stringify({ name: 'inl', version: '1.0.0' }));
  await put(path.join(pluginDir, 'agents', 'helper.md'), agentFile('helper', 'plugin helper', 'model: haiku\n'));
  await put(path.join(pluginDir, 'agents', 'sub', 'x.md'), agentFile('inner', 'nested plugin agent'));
  await put(path.join(pluginDir, 'agents', 'nameless.md'), '---\ndescription: no name\n---\nbody\n');
  await put(path.join(pluginDir, 'agents', 'broken.md'), '---\nname: broken\ndescription: "unclosed\n---\nbody\n');
  await put(path.join(pluginDir, 'agents', 'LOUD.MD'), agentFile('loud', 'upper-case suffix'));
});

afterAll(async () => {
  await sandbox.cleanup();
  await server.close();
});

async function cliView(cwd: string): Promise<{ names: string[]; details: { name: string; description: string; model?: string }[] }> {
  server.reset();
  server.script(text('ok'));
  const init = await runClaude(sandbox, {
    cwd,
    args: ['-p', '--output-format', 'stream-json', '--verbose', '--plugin-dir', pluginDir],
    stdin: 'hi',
    timeoutMs: RUN_TIMEOUT_MS,
  });
  expect(init.exitCode, init.stderr).toBe(0);
  const names = init.messages.find((m) => m['type'] === 'system' && m['subtype'] === 'init')?.['agents'] as string[];

  const request = { type: 'control_request', request_id: 'init-1', request: { subtype: 'initialize' } };
  const control = await runClaude(sandbox, {
    cwd,
    args: ['-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', '--plugin-dir', pluginDir],
    stdin: `${JSON.stringify(request)}\n`,
    timeoutMs: RUN_TIMEOUT_MS,
  });
  const response = control.messages.find((m) => m['type'] === 'control_response') as
    | { response: { response: { agents: { name: string; description: string; model?: string }[] } } }
    | undefined;
  return { names, details: response?.response.response.agents ?? [] };
}

function ours(agents: readonly AgentInfo[]): { name: string; description: string; model?: string }[] {
  return agents
    .filter((agent) => agent.error === undefined)
    .map((agent) => ({ name: agent.name, description: agent.description, ...(agent.model !== null && { model: agent.model }) }));
}

describe('listAgents matches the real CLI', () => {
  it(
    'reports the same agents, order, descriptions and models as system/init and initialize',
    async () => {
      const cli = await cliView(sandbox.cwd);
      const agents = await listAgents({
        cwd: sandbox.cwd,
        claudeConfigDir: sandbox.configDir,
        homeDir: sandbox.home,
        plugins: [{ name: 'inl', path: pluginDir }],
      });
      expect(agents.filter((agent) => agent.error === undefined).map((agent) => agent.name)).toEqual(cli.names);
      expect(ours(agents)).toEqual(cli.details);
      // Sanity: the fixture exercised what it meant to.
      expect(cli.names).toEqual(expect.arrayContaining(['clash', 'claude', 'inl:helper', 'inl:sub:inner', 'from-parent', 'lenient']));
      expect(cli.details.find((agent) => agent.name === 'clash')?.description).toBe('PROJECT version');
      expect(agents.filter((agent) => agent.error !== undefined).map((agent) => path.basename(agent.path ?? '')).sort()).toEqual([
        'bad-yaml.md',
        'colon.md',
        'no-desc.md',
        'num-desc.md',
        'prose.md',
      ]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'agrees in a nested folder and after git init stops the upward search',
    async () => {
      const nested = path.join(sandbox.cwd, 'pkg');
      execFileSync('git', ['init', '-q'], { cwd: sandbox.cwd });
      const cli = await cliView(nested);
      const agents = await listAgents({
        cwd: nested,
        claudeConfigDir: sandbox.configDir,
        homeDir: sandbox.home,
        plugins: [{ name: 'inl', path: pluginDir }],
      });
      expect(ours(agents)).toEqual(cli.details);
      expect(cli.names).not.toContain('from-parent');
      expect(cli.details.find((agent) => agent.name === 'clash')?.description).toBe('NESTED version');
    },
    TEST_TIMEOUT_MS,
  );
});
