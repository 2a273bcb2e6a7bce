import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  claudePlatformPackage,
  createCliSandbox,
  isProcessAlive,
  resolveTestClaudeBinary,
  SANDBOX_API_KEY,
} from '../src/index.js';

describe('resolveTestClaudeBinary', () => {
  it('finds the native binary of the platform package, not the placeholder stub', () => {
    const binary = resolveTestClaudeBinary();
    expect(binary).toContain(claudePlatformPackage().replace('@anthropic-ai/', ''));
    expect(binary).not.toMatch(/bin[/\\]claude\.exe$/);
    accessSync(binary, constants.X_OK);
    expect(statSync(binary).size).toBeGreaterThan(1_000_000);
  });

  it('names the platform package per platform and arch', () => {
    expect(claudePlatformPackage('darwin', 'arm64')).toBe('@anthropic-ai/claude-code-darwin-arm64');
    expect(claudePlatformPackage('win32', 'x64')).toBe('@anthropic-ai/claude-code-win32-x64');
  });
});

describe('createCliSandbox', () => {
  it('creates HOME, CLAUDE_CONFIG_DIR, a realpath cwd and a minimal environment', async () => {
    process.env['HARNESS_PARENT_SECRET'] = 'must-not-leak';
    const sandbox = await createCliSandbox({ mock: { url: 'http://127.0.0.1:1' }, prefix: 'cc-harness-selftest-' });
    try {
      expect(sandbox.cwd).toBe(await realpath(sandbox.cwd));
      expect(sandbox.root).toMatch(/cc-harness-selftest-/);
      expect(sandbox.configDir).toBe(`${sandbox.home}/.claude`);
      for (const dir of [sandbox.home, sandbox.configDir, sandbox.cwd, sandbox.tmpDir ?? '']) {
        expect(statSync(dir).isDirectory()).toBe(true);
        expect(dir.startsWith(sandbox.root)).toBe(true);
      }
      expect(sandbox.env).toEqual({
        PATH: process.env['PATH'],
        HOME: sandbox.home,
        CLAUDE_CONFIG_DIR: sandbox.configDir,
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
        ANTHROPIC_API_KEY: SANDBOX_API_KEY,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        CLAUDE_CODE_MAX_RETRIES: '1',
        TMPDIR: sandbox.tmpDir,
      });
      expect(existsSync(`${sandbox.configDir}/.claude.json`)).toBe(false);
      expect(sandbox.claudePath).toBe(resolveTestClaudeBinary());
    } finally {
      delete process.env['HARNESS_PARENT_SECRET'];
      await sandbox.cleanup();
    }
    expect(existsSync(sandbox.root)).toBe(false);
    await sandbox.cleanup(); // idempotent
  });

  it('applies env overrides and removals, inherits TMPDIR when not isolated, and can trust the cwd', async () => {
    const previous = process.env['TMPDIR'];
    process.env['TMPDIR'] = '/tmp';
    const sandbox = await createCliSandbox({
      mock: 'http://127.0.0.1:2',
      env: { CLAUDE_CODE_MAX_RETRIES: '0', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: undefined, EXTRA: 'x' },
      isolateTmpDir: false,
      trustWorkspace: true,
      prefix: 'cc-harness-selftest-',
    });
    try {
      expect(sandbox.tmpDir).toBeUndefined();
      expect(sandbox.env['TMPDIR']).toBe('/tmp');
      expect(sandbox.env['CLAUDE_CODE_MAX_RETRIES']).toBe('0');
      expect(sandbox.env['EXTRA']).toBe('x');
      expect('CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC' in sandbox.env).toBe(false);
      const state = JSON.parse(readFileSync(`${sandbox.configDir}/.claude.json`, 'utf8')) as {
        projects: Record<string, { hasTrustDialogAccepted: boolean }>;
      };
      expect(state.projects[sandbox.cwd]?.hasTrustDialogAccepted).toBe(true);
    } finally {
      if (previous === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = previous;
      await sandbox.cleanup();
    }
  });
});

describe('isProcessAlive', () => {
  it('is true for a running process and false once it has exited', async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
    const pid = child.pid!;
    expect(isProcessAlive(pid)).toBe(true);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await expect.poll(() => isProcessAlive(pid), { timeout: 2000 }).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
    expect(isProcessAlive(0)).toBe(false);
  });
});
