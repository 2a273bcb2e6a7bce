import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { McpToolsError } from '@claude-code-mcp/mcp-tools';
import { afterAll, describe, expect, it } from 'vitest';

import { ConfigError, parseToolsConfig, serverStart } from '../src/index.js';

class Exit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}

function recorder() {
  const lines: string[] = [];
  const start = serverStart('my-server', {
    write: (line) => lines.push(line),
    exit: (code) => {
      throw new Exit(code);
    },
  });
  return { lines, start };
}

describe('serverStart', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'server-start-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('returns the config and the resolved claude binary when all is well', () => {
    const { start } = recorder();
    const { config, claudeExecutable } = start.config(() => parseToolsConfig({ CLAUDE_CODE_PATH: '/opt/claude' }, { cwd, homeDirectory: cwd }), '/usr/bin');
    expect(config.defaultWorkingDirectory).toBe(cwd);
    expect(claudeExecutable).toBe('/opt/claude');
  });

  const exitOf = (run: () => unknown): Exit => {
    try {
      run();
    } catch (error) {
      if (error instanceof Exit) return error;
      throw error;
    }
    throw new Error('expected the start-up to exit');
  };

  it('turns a ConfigError into one line and exit 1', () => {
    const { lines, start } = recorder();
    const exit = exitOf(() => start.step(() => { throw new ConfigError(['PORT: must be a number', 'LOG_LEVEL: must be one of …']); }));
    expect(exit.code).toBe(1);
    expect(lines).toEqual(['my-server: invalid configuration: PORT: must be a number; LOG_LEVEL: must be one of …\n']);
  });

  it('checks the working directory as part of the config', () => {
    const { lines, start } = recorder();
    exitOf(() => start.config(() => parseToolsConfig({ DEFAULT_WORKING_DIRECTORY: join(cwd, 'nope') }, { cwd, homeDirectory: cwd }), undefined));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^my-server: invalid configuration: DEFAULT_WORKING_DIRECTORY: ".*nope" does not exist; /);
  });

  it('reports a data folder the store cannot open as DATA_DIR, on one line', () => {
    const { lines, start } = recorder();
    exitOf(() => start.step(() => { throw new McpToolsError('MCP_TOOLS_STORE_FAILED', 'Could not open the state database /d/state.sqlite:\n  file is not a database'); }));
    expect(lines).toEqual(['my-server: invalid configuration: DATA_DIR: Could not open the state database /d/state.sqlite: file is not a database\n']);
  });

  it('lets other errors through untouched', () => {
    const { start } = recorder();
    expect(() => start.step(() => { throw new TypeError('a bug'); })).toThrow(TypeError);
  });

  it('handles an asynchronous step the same way: a rejected store error becomes the line, others reject as they are', async () => {
    const { lines, start } = recorder();
    const failing = start.step(() =>
      Promise.reject(new McpToolsError('MCP_TOOLS_STORE_FAILED', 'Could not open the state database /d/state.sqlite:\n  disk I/O error')),
    );
    await expect(failing).rejects.toBeInstanceOf(Exit);
    expect(lines).toEqual(['my-server: invalid configuration: DATA_DIR: Could not open the state database /d/state.sqlite: disk I/O error\n']);
    await expect(start.step(() => Promise.resolve(42))).resolves.toBe(42);
    await expect(start.step(() => Promise.reject(new TypeError('a bug')))).rejects.toBeInstanceOf(TypeError);
  });
});
