import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { checkWorkingDirectory, ConfigError } from '../src/index.js';
import { MINIMUM_NODE_VERSION, unsupportedNodeProblem } from '../src/node-version.js';

describe('unsupportedNodeProblem', () => {
  it('accepts 22.13 and later', () => {
    for (const version of ['22.13.0', 'v22.13.1', '22.23.5', '23.0.0', '26.12.1']) expect(unsupportedNodeProblem(version, 'x')).toBeUndefined();
  });

  it('refuses older versions in one line that says what was found and how to get a newer one', () => {
    for (const version of ['20.20.2', 'v18.19.0', '22.12.9', '21.7.3']) {
      const problem = unsupportedNodeProblem(version, 'claude-code-mcp');
      expect(problem).toMatch(new RegExp(`^claude-code-mcp: needs Node >= 22\\.13, found ${version.replace(/^v/, '').replace(/\./g, '\\.')}; `));
      expect(problem).toContain('nvm install 22');
      expect(problem).not.toContain('\n');
    }
  });

  it('matches the engines field of both servers', async () => {
    const { readFileSync } = await import('node:fs');
    for (const app of ['stdio-server', 'sse-server']) {
      const manifest = JSON.parse(readFileSync(new URL(`../../../apps/${app}/package.json`, import.meta.url), 'utf8')) as { engines: { node: string } };
      expect(manifest.engines.node).toBe(`>=${MINIMUM_NODE_VERSION.major}.${MINIMUM_NODE_VERSION.minor}`);
    }
  });
});

describe('checkWorkingDirectory', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'server-config-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const problemFor = (directory: string): string => {
    try {
      checkWorkingDirectory({ defaultWorkingDirectory: directory });
    } catch (error) {
      expect(ConfigError.isInstance(error)).toBe(true);
      const { problems } = error as ConfigError;
      expect(problems).toHaveLength(1);
      return problems[0] ?? '';
    }
    throw new Error('expected checkWorkingDirectory to throw');
  };

  it('accepts an existing directory', () => {
    expect(() => checkWorkingDirectory({ defaultWorkingDirectory: scratch })).not.toThrow();
  });

  it('names the variable and the path when the directory does not exist', () => {
    const missing = join(scratch, 'missing');
    expect(problemFor(missing)).toBe(
      `DEFAULT_WORKING_DIRECTORY: ${JSON.stringify(missing)} does not exist; point it at the folder Claude Code should work in, or unset it to use the current directory`,
    );
  });

  it('refuses a file', () => {
    const file = join(scratch, 'file.txt');
    writeFileSync(file, 'x');
    expect(problemFor(file)).toMatch(/^DEFAULT_WORKING_DIRECTORY: ".*file\.txt" is not a directory; /);
  });
});
