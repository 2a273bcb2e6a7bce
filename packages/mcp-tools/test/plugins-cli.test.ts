/**
 * The `claude plugin …` wrappers against the real binary, in a throw-away HOME/CLAUDE_CONFIG_DIR,
 * with a local directory marketplace only (other sources go to the network). Each CLI call takes
 * about 0.4 s.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { createCliSandbox, createMockAnthropicServer, runClaude, text, type CliSandbox } from '@claude-code-mcp/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { listAgents } from '../src/agents/index.js';
import { McpToolsError } from '../src/errors.js';
import {
  addMarketplace,
  installPlugin,
  installedPluginDirectories,
  listMarketplaces,
  listPlugins,
  type PluginCliOptions,
} from '../src/plugins/index.js';

const TEST_TIMEOUT_MS = 60_000;
const CALL_TIMEOUT_MS = 30_000;
const MARKETPLACE = 'localmkt';

let sandbox: CliSandbox;
let marketplaceDir: string;
let cli: PluginCliOptions;

async function put(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

async function failure(promise: Promise<unknown>): Promise<McpToolsError> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(McpToolsError.isInstance(error), 'expected an McpToolsError').toBe(true);
  expect(error).toMatchObject({ code: 'MCP_TOOLS_PLUGIN_COMMAND_FAILED' });
  expect((error as McpToolsError).plugin).toBeDefined();
  return error as McpToolsError;
}

beforeAll(async () => {
  // Plugin commands make no API calls; the base URL only has to be syntactically valid.
  sandbox = await createCliSandbox({ mock: 'http://127.0.0.1:9', prefix: 'mcp-tools-plugins-' });
  cli = { executable: sandbox.claudePath, cwd: sandbox.cwd, env: sandbox.env, timeoutMs: CALL_TIMEOUT_MS };
  marketplaceDir = path.join(sandbox.root, 'marketplace');
  await put(
    path.join(marketplaceDir, '.claude-plugin', 'marketplace.json'),
    JSON.stringify({
      name: MARKETPLACE,
      owner: { name: 'Tests' },
      plugins: [{ name: 'demo', source: './plugins/demo', description: 'Demo plugin', version: '0.1.0' }],
    }),
  );
  const plugin = path.join(marketplaceDir, 'plugins', 'demo');
  await put(path.join(plugin, '.claude-plugin', 'plugin.json'), JSON.stringify({ name: 'demo', version: '0.1.0', description: 'Demo plugin' }));
  await put(
    path.join(plugin, 'agents', 'demo-agent.md'),
    '---\nname: demo-agent\ndescription: Demo agent from a plugin\ntools: Read, Grep\nmodel: haiku\n---\nYou are the demo agent.\n',
  );
  await put(path.join(sandbox.cwd, '.claude', 'agents', 'proj.md'), '---\nname: proj\ndescription: Project agent\n---\nbody\n');
  await put(path.join(sandbox.configDir, 'agents', 'mine.md'), '---\nname: mine\ndescription: User agent\n---\nbody\n');
  await put(path.join(sandbox.cwd, '.claude', 'agents', 'broken.md'), '---\nname: broken\n---\nno description\n');
});

afterAll(async () => {
  await sandbox.cleanup();
});

describe('plugin commands with the real CLI', () => {
  it(
    'adds a local directory marketplace, lists it, and offers its plugin',
    async () => {
      expect(await listMarketplaces(cli)).toEqual([]);
      const added = await addMarketplace(marketplaceDir, cli);
      expect(added).toMatchObject({ command: 'marketplace-add', outcome: 'ok', marketplace: MARKETPLACE });
      // Adding it again is not an error.
      await expect(addMarketplace(marketplaceDir, cli)).resolves.toMatchObject({ outcome: 'ok' });

      expect(await listMarketplaces(cli)).toEqual([
        { name: MARKETPLACE, source: 'directory', path: marketplaceDir, installLocation: marketplaceDir },
      ]);
      const { installed, available } = await listPlugins(cli);
      expect(available).toEqual([
        {
          pluginId: `demo@${MARKETPLACE}`,
          name: 'demo',
          description: 'Demo plugin',
          marketplaceName: MARKETPLACE,
          version: '0.1.0',
          source: './plugins/demo',
        },
      ]);
      expect(installed.some((plugin) => plugin.name === 'demo')).toBe(false);
      // Built-in plugins are listed but have no folder.
      expect(installed.every((plugin) => plugin.marketplace === 'builtin')).toBe(true);
      expect(installedPluginDirectories(installed)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'installs the plugin at user scope; its agent then shows up as demo:demo-agent',
    async () => {
      const result = await installPlugin({ plugin: 'demo', marketplace: MARKETPLACE, scope: 'user' }, cli);
      expect(result).toMatchObject({ command: 'install', outcome: 'ok', pluginId: `demo@${MARKETPLACE}`, scope: 'user' });

      const { installed, available } = await listPlugins(cli);
      const demo = installed.find((plugin) => plugin.id === `demo@${MARKETPLACE}`);
      expect(demo).toMatchObject({ name: 'demo', marketplace: MARKETPLACE, scope: 'user', enabled: true, version: '0.1.0' });
      // A directory marketplace is read in place; the cache copy is installPath.
      expect(demo?.readFromFolder).toBe(path.join(marketplaceDir, 'plugins', 'demo'));
      expect(demo?.installPath).toBe(path.join(sandbox.configDir, 'plugins', 'cache', MARKETPLACE, 'demo', '0.1.0'));
      expect(available).toEqual([]);

      const plugins = installedPluginDirectories(installed);
      expect(plugins).toEqual([{ name: 'demo', path: path.join(marketplaceDir, 'plugins', 'demo') }]);
      const agents = await listAgents({ cwd: sandbox.cwd, claudeConfigDir: sandbox.configDir, homeDir: sandbox.home, plugins });
      expect(agents.find((agent) => agent.name === 'demo:demo-agent')).toEqual({
        name: 'demo:demo-agent',
        description: 'Demo agent from a plugin',
        tools: ['Read', 'Grep'],
        model: 'haiku',
        source: 'plugin',
        path: path.join(marketplaceDir, 'plugins', 'demo', 'agents', 'demo-agent.md'),
      });
      expect(agents.find((agent) => agent.name === 'proj')?.source).toBe('project');
      expect(agents.find((agent) => agent.name === 'mine')?.source).toBe('user');
      expect(agents.find((agent) => agent.name === 'broken')?.error).toMatch(/missing required "description"/);

      // The cache copy carries the same agent.
      const fromCache = await listAgents({
        cwd: sandbox.cwd,
        claudeConfigDir: sandbox.configDir,
        homeDir: sandbox.home,
        plugins: [{ name: 'demo', path: demo?.installPath ?? '' }],
      });
      expect(fromCache.some((agent) => agent.name === 'demo:demo-agent')).toBe(true);

      // Installing again succeeds ("already installed").
      await expect(installPlugin({ plugin: `demo@${MARKETPLACE}`, scope: 'user' }, cli)).resolves.toMatchObject({ outcome: 'ok' });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'lists the same agents as the CLI reports in system/init once the plugin is installed',
    async () => {
      const server = await createMockAnthropicServer();
      try {
        server.script(text('ok'));
        const run = await runClaude(sandbox, {
          args: ['-p', '--output-format', 'stream-json', '--verbose'],
          stdin: 'hi',
          env: { ANTHROPIC_BASE_URL: server.url },
          timeoutMs: CALL_TIMEOUT_MS,
        });
        expect(run.exitCode, run.stderr).toBe(0);
        const init = run.messages.find((message) => message['type'] === 'system' && message['subtype'] === 'init');
        const plugins = installedPluginDirectories((await listPlugins(cli)).installed);
        const agents = await listAgents({ cwd: sandbox.cwd, claudeConfigDir: sandbox.configDir, homeDir: sandbox.home, plugins });
        expect(init?.['agents']).toEqual(agents.filter((agent) => agent.error === undefined).map((agent) => agent.name));
        expect(init?.['agents']).toContain('demo:demo-agent');
        expect(init?.['plugins']).toContainEqual(expect.objectContaining({ name: 'demo', path: plugins[0]?.path, source: `demo@${MARKETPLACE}` }));
      } finally {
        await server.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'turns a failed outcome into an error carrying the CLI message and failureCode',
    async () => {
      const notFound = await failure(installPlugin({ plugin: 'nope', marketplace: MARKETPLACE, scope: 'user' }, cli));
      expect(notFound).toMatchObject({ code: 'MCP_TOOLS_PLUGIN_COMMAND_FAILED', plugin: { reason: 'failed', failureCode: 'not_found', exitCode: 1 } });
      expect(notFound.message).toMatch(/^claude plugin install --scope user nope@localmkt failed \(not_found\): Plugin "nope" not found in marketplace "localmkt"/);
      expect(notFound.plugin?.args).toEqual(['plugin', 'install', '--json', '--scope', 'user', '--', 'nope@localmkt']);

      const emptyDir = path.join(sandbox.root, 'not-a-marketplace');
      await mkdir(emptyDir, { recursive: true });
      const missing = await failure(addMarketplace(emptyDir, cli));
      expect(missing).toMatchObject({ plugin: { reason: 'failed', failureCode: 'manifest_missing' } });
      expect(missing.message).toContain('Marketplace file not found');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'installs at project scope: enabled in that project only',
    async () => {
      const other = path.join(sandbox.root, 'other-project');
      const project = path.join(sandbox.root, 'project-a');
      await mkdir(other, { recursive: true });
      await mkdir(project, { recursive: true });
      await put(
        path.join(marketplaceDir, '.claude-plugin', 'marketplace.json'),
        JSON.stringify({
          name: MARKETPLACE,
          owner: { name: 'Tests' },
          plugins: [
            { name: 'demo', source: './plugins/demo', description: 'Demo plugin', version: '0.1.0' },
            { name: 'extra', source: './plugins/extra', description: 'Extra plugin', version: '1.0.0' },
          ],
        }),
      );
      await put(path.join(marketplaceDir, 'plugins', 'extra', '.claude-plugin', 'plugin.json'), JSON.stringify({ name: 'extra', version: '1.0.0' }));
      await put(path.join(marketplaceDir, 'plugins', 'extra', 'agents', 'x.md'), '---\nname: x\ndescription: Extra agent\n---\nbody\n');

      const inProject = { ...cli, cwd: project };
      await installPlugin({ plugin: 'extra', marketplace: MARKETPLACE, scope: 'project' }, inProject);
      const here = installedPluginDirectories((await listPlugins(inProject)).installed).map((plugin) => plugin.name);
      const there = installedPluginDirectories((await listPlugins({ ...cli, cwd: other })).installed).map((plugin) => plugin.name);
      expect(here.sort()).toEqual(['demo', 'extra']);
      expect(there).toEqual(['demo']);
    },
    TEST_TIMEOUT_MS,
  );
});
