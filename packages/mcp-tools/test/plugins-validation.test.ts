/**
 * Argument validation and process handling of the plugin wrappers, with a stub executable that
 * records every call, so a rejected value provably never reaches an argv.
 */
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { McpToolsError } from '../src/errors.js';
import {
  addMarketplace,
  installPlugin,
  listMarketplaces,
  listPlugins,
  validateMarketplaceSource,
  validatePluginReference,
  type PluginCliOptions,
} from '../src/plugins/index.js';

let scratch: string;
let log: string;
let stub: string;
let marketplaceDir: string;
let options: PluginCliOptions;

async function script(name: string, body: string): Promise<string> {
  const file = path.join(scratch, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

async function calls(): Promise<string[]> {
  try {
    return (await readFile(log, 'utf8')).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  scratch = await realpath(await mkdtemp(path.join(tmpdir(), 'mcp-tools-plugin-args-')));
  log = path.join(scratch, 'calls.log');
  marketplaceDir = path.join(scratch, 'marketplace');
  await mkdir(marketplaceDir);
  await writeFile(path.join(scratch, 'file.json'), '{}');
  // Records its arguments, then answers like the CLI would.
  stub = await script(
    'claude-stub',
    [
      `printf '%s\\n' "$*" >> '${log}'`,
      'case "$2" in',
      `  install) echo '{"command":"install","outcome":"ok","plugin":"x","scope":"user","message":"ok"}' ;;`,
      `  marketplace) if [ "$3" = list ]; then echo '[]'; else echo 'note: adding'; echo '{"command":"marketplace-add","outcome":"ok","marketplace":"m"}'; fi ;;`,
      `  list) echo '{"installed":[{"id":"a@m","scope":"user","enabled":true,"installPath":"/p/a","futureField":1}],"available":[],"extra":true}' ;;`,
      'esac',
    ].join('\n'),
  );
  options = { executable: stub, cwd: scratch, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, timeoutMs: 10_000 };
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

beforeEach(async () => {
  await rm(log, { force: true });
});

describe('validation before the CLI runs', () => {
  const badNames = ['--help', '-rf', 'demo; rm -rf /', 'a b', '../x', 'x/y', '$(id)', '`id`', 'demo\n', '', '.hidden', 'a'.repeat(129)];

  it.each(badNames)('rejects the plugin name %j', async (plugin) => {
    const error = await rejection(installPlugin({ plugin, scope: 'user' }, options));
    expect(McpToolsError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'MCP_TOOLS_INVALID_ARGUMENTS' });
    expect((error as Error).message).toMatch(/^Invalid plugin/);
    expect(await calls()).toEqual([]);
  });

  it.each(['--json', '-s', 'mkt;rm', 'a b', '@', ''])('rejects the marketplace name %j', async (marketplace) => {
    const error = await rejection(installPlugin({ plugin: 'demo', marketplace, scope: 'user' }, options));
    expect(error).toMatchObject({ code: 'MCP_TOOLS_INVALID_ARGUMENTS' });
    expect((error as Error).message).toMatch(/^Invalid marketplace name/);
    expect(await calls()).toEqual([]);
  });

  it('rejects a bad scope and conflicting marketplaces', async () => {
    await expect(installPlugin({ plugin: 'demo', scope: 'global' as 'user' }, options)).rejects.toThrow(/Invalid plugin scope "global"/);
    await expect(installPlugin({ plugin: 'demo@one', marketplace: 'two', scope: 'user' }, options)).rejects.toThrow(/pass one/);
    await expect(installPlugin({ plugin: 'demo@@x', scope: 'user' }, options)).rejects.toThrow(/Invalid marketplace/);
    await expect(addMarketplace(marketplaceDir, { ...options, scope: '--user' as 'user' })).rejects.toThrow(/Invalid plugin scope/);
    expect(await calls()).toEqual([]);
  });

  const badSources: [string, RegExp][] = [
    ['./marketplace', /absolute path/],
    ['../marketplace', /absolute path/],
    ['marketplace/sub/dir', /absolute path/],
    ['~/marketplace', /absolute path/],
    ['marketplace', /use an absolute path of an existing local directory/i],
    ['--help', /must not start with "-"/],
    ['-rf', /must not start with "-"/],
    ['; rm -rf /', /spaces or control characters/],
    ['owner/repo;rm', /absolute path/],
    ['a b/c', /spaces or control characters/],
    ['/does/not/exist', /does not exist/],
    ['http://example.com/m.git', /only https:\/\//],
    ['ssh://git@github.com/o/r.git', /only https:\/\//],
    ['file:///tmp/m', /only https:\/\//],
    ['https://user:token@github.com/o/r.git', /credentials/],
    ['owner/repo#--upload-pack=x', /Invalid git ref/],
    ['git@github.com:-o/r.git', /use an absolute path/i],
    ['', /required/],
  ];

  it.each(badSources)('rejects the marketplace source %j', async (source, message) => {
    const error = await rejection(addMarketplace(source, options));
    expect(McpToolsError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'MCP_TOOLS_INVALID_ARGUMENTS' });
    expect((error as Error).message).toMatch(message);
    expect(await calls()).toEqual([]);
  });

  it('rejects a file where a directory is expected', async () => {
    await expect(addMarketplace(path.join(scratch, 'file.json'), options)).rejects.toThrow(/is not a directory/);
    expect(await calls()).toEqual([]);
  });

  it('accepts the documented forms', async () => {
    await expect(validateMarketplaceSource(`${marketplaceDir}/`)).resolves.toEqual({ kind: 'directory', value: marketplaceDir });
    await expect(validateMarketplaceSource('anthropics/claude-plugins')).resolves.toMatchObject({ kind: 'github' });
    await expect(validateMarketplaceSource('owner/repo#v1.2')).resolves.toMatchObject({ kind: 'github', value: 'owner/repo#v1.2' });
    await expect(validateMarketplaceSource('https://example.com/marketplace.json')).resolves.toMatchObject({ kind: 'https' });
    await expect(validateMarketplaceSource('https://github.com/o/r.git#main')).resolves.toMatchObject({ kind: 'https' });
    await expect(validateMarketplaceSource('git@github.com:owner/repo.git')).resolves.toMatchObject({ kind: 'git' });
    expect(validatePluginReference('demo@localmkt')).toEqual({ plugin: 'demo', marketplace: 'localmkt' });
    expect(validatePluginReference('demo', 'localmkt')).toEqual({ plugin: 'demo', marketplace: 'localmkt' });
    expect(validatePluginReference('code-review_2.0')).toEqual({ plugin: 'code-review_2.0', marketplace: undefined });
  });

  it('passes validated values after "--", never through a shell', async () => {
    await installPlugin({ plugin: 'demo', marketplace: 'mkt', scope: 'project' }, options);
    await addMarketplace(marketplaceDir, { ...options, scope: 'user' });
    await addMarketplace('owner/repo', options);
    expect(await calls()).toEqual([
      'plugin install --json --scope project -- demo@mkt',
      `plugin marketplace add --json --scope user -- ${marketplaceDir}`,
      'plugin marketplace add --json -- owner/repo',
    ]);
  });

  it('parses JSON outputs tolerantly: extra fields, notes before the result line', async () => {
    const list = await listPlugins(options);
    expect(list.installed).toEqual([{ id: 'a@m', name: 'a', marketplace: 'm', scope: 'user', enabled: true, installPath: '/p/a' }]);
    await expect(listMarketplaces(options)).resolves.toEqual([]);
    await expect(addMarketplace('owner/repo', options)).resolves.toMatchObject({ outcome: 'ok', marketplace: 'm' });
  });

  it('rejects a relative executable or working directory', async () => {
    await expect(listPlugins({ ...options, executable: 'claude' })).rejects.toMatchObject({ code: 'MCP_TOOLS_INVALID_OPTIONS' });
    await expect(listPlugins({ ...options, cwd: '.' })).rejects.toMatchObject({ code: 'MCP_TOOLS_INVALID_OPTIONS' });
    await expect(listPlugins({ ...options, timeoutMs: 0 })).rejects.toMatchObject({ code: 'MCP_TOOLS_INVALID_OPTIONS' });
  });
});

describe('process failures', () => {
  it('stops a command that runs too long', async () => {
    const slow = await script('slow', 'exec sleep 20');
    const started = Date.now();
    const error = await rejection(listPlugins({ ...options, executable: slow, timeoutMs: 300 }));
    expect(error).toMatchObject({ code: 'MCP_TOOLS_PLUGIN_COMMAND_FAILED' });
    expect(error).toMatchObject({ message: 'claude plugin list --available did not finish within 0.3 s and was stopped.', plugin: { reason: 'timeout' } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stops a command when the caller aborts', async () => {
    const slow = await script('slow-abort', 'exec sleep 20');
    const controller = new AbortController();
    const pending = rejection(listMarketplaces({ ...options, executable: slow, signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    await expect(pending).resolves.toMatchObject({ plugin: { reason: 'aborted' } });
  });

  it('reports a missing executable, a non-zero exit without JSON, and output that is not JSON', async () => {
    const missing = await rejection(listPlugins({ ...options, executable: path.join(scratch, 'missing') }));
    expect(missing).toMatchObject({ plugin: { reason: 'spawn' } });
    expect((missing as Error).message).toMatch(/^Could not run .*missing \(ENOENT\)/);

    const crash = await script('crash', 'echo "Unknown scope \\"x\\"" >&2; exit 1');
    await expect(installPlugin({ plugin: 'demo', scope: 'user' }, { ...options, executable: crash })).rejects.toMatchObject({
      plugin: { reason: 'exit', exitCode: 1 },
      message: 'claude plugin install --scope user demo exited with code 1: Unknown scope "x"',
    });

    const chatty = await script('chatty', 'echo "Configured marketplaces:"');
    const noJson = await rejection(listMarketplaces({ ...options, executable: chatty }));
    expect(noJson).toMatchObject({ plugin: { reason: 'output' } });
    expect((noJson as Error).message).toMatch(/printed no JSON \(Configured marketplaces:\)/);

    const wrongShape = await script('wrong-shape', `echo '{"installed":"nope"}'`);
    const shape = await rejection(listPlugins({ ...options, executable: wrongShape }));
    expect(shape).toMatchObject({ plugin: { reason: 'output' } });
    expect((shape as Error).message).toMatch(/unexpected shape/);

    const failedButZero = await script('failed-zero', `echo '{"command":"install","outcome":"failed","message":"nope","failureCode":"x"}'`);
    await expect(installPlugin({ plugin: 'demo', scope: 'user' }, { ...options, executable: failedButZero })).rejects.toMatchObject({
      plugin: { reason: 'failed', failureCode: 'x', exitCode: 0 },
      message: 'claude plugin install --scope user demo failed (x): nope',
    });
  });
});
