import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { McpToolsError, type McpToolsErrorCode } from '../src/index.js';
import { resolveWorkingDirectory } from '../src/resolve-working-directory.js';

let scratch: string;
let root: string;
let outsideDir: string;

async function expectCode(promise: Promise<unknown>, code: McpToolsErrorCode): Promise<McpToolsError> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(McpToolsError.isInstance(error), `expected an McpToolsError ${code}, got ${String(error)}`).toBe(true);
  expect(error).toMatchObject({ code, name: 'McpToolsError' });
  return error as McpToolsError;
}

beforeAll(async () => {
  scratch = await realpath(await mkdtemp(path.join(tmpdir(), 'mcp-tools-cwd-')));
  root = path.join(scratch, 'root');
  outsideDir = path.join(scratch, 'outside');
  await mkdir(path.join(root, 'project', 'src'), { recursive: true });
  await mkdir(path.join(root, '..hidden-but-inside'));
  await mkdir(path.join(outsideDir, 'secret'), { recursive: true });
  await mkdir(path.join(scratch, 'root-sibling'));
  await writeFile(path.join(root, 'notes.txt'), 'not a directory');
  await symlink(outsideDir, path.join(root, 'escape'));
  await symlink(path.join(root, 'project'), path.join(root, 'project-link'));
  await symlink(root, path.join(scratch, 'root-link'));
  await symlink(path.join(root, 'loop'), path.join(root, 'loop'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('resolveWorkingDirectory', () => {
  it('returns the real path of a directory inside a root, or the root itself', async () => {
    await expect(resolveWorkingDirectory(path.join(root, 'project'), { roots: [root] })).resolves.toBe(
      path.join(root, 'project'),
    );
    await expect(resolveWorkingDirectory(root, { roots: [root] })).resolves.toBe(root);
    await expect(resolveWorkingDirectory(`${root}/project/src/../`, { roots: [root] })).resolves.toBe(
      path.join(root, 'project'),
    );
  });

  it('follows a symbolic link that stays inside the root', async () => {
    await expect(resolveWorkingDirectory(path.join(root, 'project-link'), { roots: [root] })).resolves.toBe(
      path.join(root, 'project'),
    );
  });

  it('accepts a root given through a symbolic link', async () => {
    const linkedRoot = path.join(scratch, 'root-link');
    await expect(resolveWorkingDirectory(path.join(linkedRoot, 'project'), { roots: [linkedRoot] })).resolves.toBe(
      path.join(root, 'project'),
    );
    await expect(resolveWorkingDirectory(path.join(root, 'project'), { roots: [linkedRoot] })).resolves.toBe(
      path.join(root, 'project'),
    );
  });

  it('accepts a directory whose name merely starts with ".."', async () => {
    await expect(resolveWorkingDirectory(path.join(root, '..hidden-but-inside'), { roots: [root] })).resolves.toBe(
      path.join(root, '..hidden-but-inside'),
    );
  });

  it('resolves a relative request against base', async () => {
    await expect(resolveWorkingDirectory('project/src', { roots: [root], base: root })).resolves.toBe(
      path.join(root, 'project', 'src'),
    );
    await expect(resolveWorkingDirectory('.', { roots: [root], base: path.join(root, 'project') })).resolves.toBe(
      path.join(root, 'project'),
    );
  });

  describe('MCP_TOOLS_PATH_OUTSIDE_ROOTS', () => {
    it('for a directory outside every root, naming the allowed roots', async () => {
      const error = await expectCode(
        resolveWorkingDirectory(outsideDir, { roots: [root, path.join(scratch, 'root-sibling')] }),
        'MCP_TOOLS_PATH_OUTSIDE_ROOTS',
      );
      expect(error.message).toBe(
        `Working directory "${outsideDir}" is outside the allowed roots (${root}, ${path.join(scratch, 'root-sibling')}); choose a directory inside one of them.`,
      );
    });

    it('for a symbolic link inside the root that escapes it', async () => {
      const escape = path.join(root, 'escape');
      const error = await expectCode(
        resolveWorkingDirectory(escape, { roots: [root] }),
        'MCP_TOOLS_PATH_OUTSIDE_ROOTS',
      );
      expect(error.message).toContain(`"${escape}" resolves to "${outsideDir}", which is outside the allowed roots`);
      await expectCode(
        resolveWorkingDirectory(path.join(escape, 'secret'), { roots: [root] }),
        'MCP_TOOLS_PATH_OUTSIDE_ROOTS',
      );
    });

    it('for ".." segments that climb out of the root', async () => {
      await expectCode(
        resolveWorkingDirectory(path.join(root, 'project', '..', '..', 'outside'), { roots: [root] }),
        'MCP_TOOLS_PATH_OUTSIDE_ROOTS',
      );
      await expectCode(
        resolveWorkingDirectory('../outside', { roots: [root], base: root }),
        'MCP_TOOLS_PATH_OUTSIDE_ROOTS',
      );
    });

    it('for a sibling whose name starts with the root name', async () => {
      await expectCode(
        resolveWorkingDirectory(path.join(scratch, 'root-sibling'), { roots: [root] }),
        'MCP_TOOLS_PATH_OUTSIDE_ROOTS',
      );
    });

    it('for a missing path outside the roots, without revealing that it is missing', async () => {
      await expectCode(
        resolveWorkingDirectory(path.join(outsideDir, 'no-such-dir'), { roots: [root] }),
        'MCP_TOOLS_PATH_OUTSIDE_ROOTS',
      );
      await expectCode(
        resolveWorkingDirectory(path.join(root, 'escape', 'no-such-dir'), { roots: [root] }),
        'MCP_TOOLS_PATH_OUTSIDE_ROOTS',
      );
    });
  });

  describe('other failures', () => {
    it('MCP_TOOLS_DIRECTORY_NOT_FOUND for a missing directory inside a root', async () => {
      const missing = path.join(root, 'project', 'no-such-dir');
      const error = await expectCode(
        resolveWorkingDirectory(missing, { roots: [root] }),
        'MCP_TOOLS_DIRECTORY_NOT_FOUND',
      );
      expect(error.message).toContain(`"${missing}" does not exist`);
      expect(error.cause).toMatchObject({ code: 'ENOENT' });
    });

    it('MCP_TOOLS_DIRECTORY_NOT_FOUND for a path through a file', async () => {
      await expectCode(
        resolveWorkingDirectory(path.join(root, 'notes.txt', 'sub'), { roots: [root] }),
        'MCP_TOOLS_DIRECTORY_NOT_FOUND',
      );
    });

    it('MCP_TOOLS_NOT_A_DIRECTORY for a file', async () => {
      const error = await expectCode(
        resolveWorkingDirectory(path.join(root, 'notes.txt'), { roots: [root] }),
        'MCP_TOOLS_NOT_A_DIRECTORY',
      );
      expect(error.message).toContain('is a file, not a directory');
    });

    it('MCP_TOOLS_DIRECTORY_NOT_ACCESSIBLE for a symbolic-link loop', async () => {
      const error = await expectCode(
        resolveWorkingDirectory(path.join(root, 'loop'), { roots: [root] }),
        'MCP_TOOLS_DIRECTORY_NOT_ACCESSIBLE',
      );
      expect(error.message).toContain('ELOOP');
    });

    it.each([
      ['an empty path', ''],
      ['a relative path without base', 'project'],
      ['a NUL character', `${root}/pro\0ject`],
    ])('MCP_TOOLS_INVALID_ARGUMENTS for %s', async (_case, requested) => {
      await expectCode(resolveWorkingDirectory(requested, { roots: [root] }), 'MCP_TOOLS_INVALID_ARGUMENTS');
    });

    it('MCP_TOOLS_INVALID_OPTIONS for bad roots', async () => {
      const target = path.join(root, 'project');
      await expectCode(resolveWorkingDirectory(target, { roots: [] }), 'MCP_TOOLS_INVALID_OPTIONS');
      const relative = await expectCode(
        resolveWorkingDirectory(target, { roots: ['relative/root'] }),
        'MCP_TOOLS_INVALID_OPTIONS',
      );
      expect(relative.message).toContain('must be an absolute path');
      const missing = await expectCode(
        resolveWorkingDirectory(target, { roots: [path.join(scratch, 'no-such-root')] }),
        'MCP_TOOLS_INVALID_OPTIONS',
      );
      expect(missing.message).toContain('ENOENT');
      await expectCode(
        resolveWorkingDirectory(target, { roots: [path.join(root, 'notes.txt')] }),
        'MCP_TOOLS_INVALID_OPTIONS',
      );
      await expectCode(
        resolveWorkingDirectory('project', { roots: [root], base: 'relative' }),
        'MCP_TOOLS_INVALID_OPTIONS',
      );
    });
  });
});
