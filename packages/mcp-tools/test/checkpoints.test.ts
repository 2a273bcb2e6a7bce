// Checkpoints against the real git and real temp directories, indexed in the in-memory store
// (the SQLite index is checked by the store contract, and here across a restart).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  createCheckpointManager,
  type CheckpointManager,
  type CheckpointManagerOptions,
} from '../src/checkpoints/index.js';
import { McpToolsError, type McpToolsErrorCode } from '../src/errors.js';
import { createMemoryStore, openStore, type ClaudeToolsStore } from '../src/store/index.js';

let scratch: string;
let dataDir: string;
let work: string;
const opened: ClaudeToolsStore[] = [];

beforeEach(() => {
  scratch = realpathSync(mkdtempSync(path.join(tmpdir(), 'mcp-tools-checkpoints-')));
  dataDir = path.join(scratch, 'data');
  work = path.join(scratch, 'work');
  mkdirSync(work);
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  rmSync(scratch, { recursive: true, force: true });
});

function open(): ClaudeToolsStore {
  const store = createMemoryStore();
  opened.push(store);
  return store;
}

function manager(options: Partial<CheckpointManagerOptions> = {}): CheckpointManager {
  return createCheckpointManager({ store: options.store ?? open(), dataDir, ...options });
}

/** The test's own git calls (setting up the user's repository): isolated from the machine's config. */
function userGit(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test User', '-c', 'user.email=test@example.invalid', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
}

function write(relative: string, content: string | Buffer, root = work): void {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/**
 * Every entry under `root` (recursively, `.git` skipped unless `withGit`): folders, files with
 * mode and content hash, symbolic links with their target.
 */
function listing(root: string, { withGit = false, withTimes = false } = {}): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (relative: string): void => {
    for (const name of readdirSync(path.join(root, relative)).sort()) {
      if (name === '.git' && !withGit) continue;
      const child = relative === '' ? name : `${relative}/${name}`;
      const full = path.join(root, child);
      const stats = lstatSync(full);
      const time = withTimes ? ` mtime=${stats.mtimeMs} ctime=${stats.ctimeMs}` : '';
      if (stats.isSymbolicLink()) entries.set(child, `link -> ${readlinkSync(full)}${time}`);
      else if (stats.isDirectory()) {
        entries.set(child, `dir ${(stats.mode & 0o777).toString(8)}${time}`);
        walk(child);
      } else entries.set(child, `file ${(stats.mode & 0o777).toString(8)} ${sha(readFileSync(full))}${time}`);
    }
  };
  walk('');
  return entries;
}

/** A hash of a whole folder: names, modes, contents and modification times. */
function folderHash(root: string): string {
  return sha(JSON.stringify([...listing(root, { withGit: true, withTimes: true })]));
}

async function expectCode(work: Promise<unknown> | (() => unknown), code: McpToolsErrorCode, message?: RegExp): Promise<McpToolsError> {
  let thrown: unknown;
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    thrown = error;
  }
  expect(McpToolsError.isInstance(thrown), `expected an McpToolsError ${code}, got ${String(thrown)}`).toBe(true);
  expect(thrown).toMatchObject({ code });
  if (message !== undefined) expect((thrown as Error).message).toMatch(message);
  return thrown as McpToolsError;
}

const binary = randomBytes(48 * 1024);

/** A project with a real git repository: a commit, a staged change and an extra branch. */
function makeProject(): void {
  write('.gitignore', '*.log\nbuild/\n');
  write('README.md', '# Project\n\nSome text.\n');
  write('src/a.ts', Array.from({ length: 20 }, (_, index) => `export const v${index} = ${index};\n`).join(''));
  write('src/nested/deep/b.ts', 'export const b = 1;\n');
  write('docs/with space ü.md', 'spaces and unicode\n');
  write('bin/tool.sh', '#!/bin/sh\necho tool\n');
  chmodSync(path.join(work, 'bin/tool.sh'), 0o755);
  write('assets/logo.bin', binary);
  write('crlf.txt', 'line one\r\nline two\r\n');
  write('.gitattributes', '* text=auto eol=crlf\n');
  symlinkSync('README.md', path.join(work, 'link'));
  write('keep.log', 'ignored before the checkpoint\n');
  write('build/out.js', 'ignored build output\n');
  userGit(work, 'init', '-q', '-b', 'main');
  userGit(work, 'add', '-A');
  userGit(work, 'commit', '-q', '-m', 'initial');
  userGit(work, 'branch', 'feature');
  write('README.md', '# Project\n\nStaged change.\n');
  userGit(work, 'add', 'README.md');
}

describe('create, restore', () => {
  it('restores the tree exactly, leaves ignored files alone and never touches the user .git', async () => {
    makeProject();
    const gitBefore = folderHash(path.join(work, '.git'));
    const checkpoints = manager({ now: () => 1_700_000_000_000 });

    const checkpoint = await checkpoints.create({
      cwd: work,
      label: 'before edits',
      sessionId: '8f7c2a58-1c7e-4d2b-9a55-0d5d7c3e2b10',
      lastMessageId: 'c0ffee00-1c7e-4d2b-9a55-0d5d7c3e2b10',
    });
    expect(checkpoint).toMatchObject({
      label: 'before edits',
      cwd: work,
      sessionId: '8f7c2a58-1c7e-4d2b-9a55-0d5d7c3e2b10',
      lastMessageId: 'c0ffee00-1c7e-4d2b-9a55-0d5d7c3e2b10',
      createdAt: 1_700_000_000_000,
      fileCount: 10, // .gitignore .gitattributes README src/a src/b docs bin assets crlf link
    });
    expect(checkpoint.id).toMatch(/^ckpt_[0-9a-f]{20}$/);
    expect(checkpoint.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(checkpoint.bytes).toBeGreaterThan(binary.length);
    expect(Object.isFrozen(checkpoint)).toBe(true);
    const atCheckpoint = listing(work);
    // The shadow repository lives in the data folder.
    expect(readdirSync(path.join(dataDir, 'checkpoints'))).toEqual([expect.stringMatching(/^[0-9a-f]{32}\.git$/)]);

    // Every kind of change.
    write('src/a.ts', 'export const changed = true;\n');
    write('src/new.ts', 'new file\n');
    write('newdir/x/y.txt', 'in new folders\n');
    unlinkSync(path.join(work, 'src/nested/deep/b.ts'));
    unlinkSync(path.join(work, 'docs/with space ü.md'));
    const flipped = Buffer.from(binary);
    flipped[100] = (flipped[100]! + 1) % 256;
    write('assets/logo.bin', flipped);
    chmodSync(path.join(work, 'bin/tool.sh'), 0o644);
    unlinkSync(path.join(work, 'link'));
    write('link', 'now a file\n');
    write('crlf.txt', 'line one\nline two\n');
    write('新しい ファイル.txt', 'unicode name\n');
    write('debug.log', 'ignored, new\n');
    write('build/out.js', 'ignored build output, changed\n');

    const compared = await checkpoints.compare(checkpoint.id, 'present');
    expect(compared.to).toBe('present');
    expect(compared.files.map((file) => [file.path, file.status])).toEqual([
      ['assets/logo.bin', 'modified'],
      ['bin/tool.sh', 'modified'],
      ['crlf.txt', 'modified'],
      ['docs/with space ü.md', 'deleted'],
      ['link', 'modified'],
      ['newdir/x/y.txt', 'added'],
      ['src/a.ts', 'modified'],
      ['src/nested/deep/b.ts', 'deleted'],
      ['src/new.ts', 'added'],
      ['新しい ファイル.txt', 'added'],
    ]);
    expect(compared.files.find((file) => file.path === 'src/a.ts')).toMatchObject({ insertions: 1, deletions: 20, binary: false });
    expect(compared.files.find((file) => file.path === 'assets/logo.bin')).toMatchObject({ binary: true, insertions: 0 });
    expect(compared.diff).toContain('diff --git a/src/a.ts b/src/a.ts');
    expect(compared.diff).toContain('+export const changed = true;');
    expect(compared.diff).toContain('Binary files a/assets/logo.bin and b/assets/logo.bin differ');
    expect(compared.diff).not.toContain('debug.log');

    const { checkpoint: restoredFrom, changed } = await checkpoints.restore(checkpoint.id);
    expect(restoredFrom).toEqual(checkpoint);
    expect(changed).toEqual({
      restored: ['assets/logo.bin', 'bin/tool.sh', 'crlf.txt', 'link', 'src/a.ts'],
      removed: ['newdir/x/y.txt', 'src/new.ts', '新しい ファイル.txt'],
      recreated: ['docs/with space ü.md', 'src/nested/deep/b.ts'],
    });

    const afterRestore = listing(work);
    // Ignored files are untouched: the new one stays, the changed one keeps its change.
    expect(afterRestore.get('debug.log')).toBe(`file 644 ${sha('ignored, new\n')}`);
    expect(afterRestore.get('build/out.js')).toBe(`file 644 ${sha('ignored build output, changed\n')}`);
    afterRestore.delete('debug.log');
    afterRestore.delete('build/out.js');
    atCheckpoint.delete('build/out.js');
    expect([...afterRestore]).toEqual([...atCheckpoint]);
    expect(readFileSync(path.join(work, 'crlf.txt'), 'utf8')).toBe('line one\r\nline two\r\n');

    // A second restore finds nothing to do.
    expect((await checkpoints.restore(checkpoint.id)).changed).toEqual({ restored: [], removed: [], recreated: [] });
    expect(folderHash(path.join(work, '.git'))).toBe(gitBefore);
    expect(userGit(work, 'status', '--porcelain')).toBe('M  README.md\n');
    expect(userGit(work, 'branch', '--list').split('\n').map((line) => line.trim()).filter(Boolean).sort()).toEqual([
      '* main',
      'feature',
    ]);
  });

  it('ignores GIT_* variables of the server environment that point at the user repository', async () => {
    makeProject();
    const gitBefore = folderHash(path.join(work, '.git'));
    const saved = { GIT_DIR: process.env['GIT_DIR'], GIT_INDEX_FILE: process.env['GIT_INDEX_FILE'], GIT_WORK_TREE: process.env['GIT_WORK_TREE'] };
    process.env['GIT_DIR'] = path.join(work, '.git');
    process.env['GIT_INDEX_FILE'] = path.join(work, '.git', 'index');
    process.env['GIT_WORK_TREE'] = work;
    let checkpoints: CheckpointManager;
    try {
      checkpoints = manager();
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    const checkpoint = await checkpoints.create({ cwd: work });
    write('src/a.ts', 'changed\n');
    await checkpoints.compare(checkpoint.id, 'present');
    await checkpoints.restore(checkpoint.id);
    expect(folderHash(path.join(work, '.git'))).toBe(gitBefore);
  });

  it('handles a file replaced by a folder and a folder replaced by a file', async () => {
    write('thing', 'a file\n');
    write('dir/inner.txt', 'inside\n');
    const checkpoints = manager();
    const checkpoint = await checkpoints.create({ cwd: work });
    const before = listing(work);
    unlinkSync(path.join(work, 'thing'));
    write('thing/now-a-folder.txt', 'x\n');
    rmSync(path.join(work, 'dir'), { recursive: true });
    write('dir', 'now a file\n');
    const { changed } = await checkpoints.restore(checkpoint.id);
    expect(changed).toEqual({ restored: [], removed: ['dir', 'thing/now-a-folder.txt'], recreated: ['dir/inner.txt', 'thing'] });
    expect([...listing(work)]).toEqual([...before]);
  });

  it('never writes through a symbolic link that replaced a folder', async () => {
    write('dir/file.txt', 'checkpointed\n');
    const outside = path.join(scratch, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'file.txt'), 'outside, must stay\n');
    const checkpoints = manager();
    const checkpoint = await checkpoints.create({ cwd: work });
    rmSync(path.join(work, 'dir'), { recursive: true });
    symlinkSync(outside, path.join(work, 'dir'));
    const { changed } = await checkpoints.restore(checkpoint.id);
    expect(changed).toEqual({ restored: [], removed: ['dir'], recreated: ['dir/file.txt'] });
    expect(lstatSync(path.join(work, 'dir')).isDirectory()).toBe(true);
    expect(readFileSync(path.join(work, 'dir/file.txt'), 'utf8')).toBe('checkpointed\n');
    expect(readdirSync(outside)).toEqual(['file.txt']);
    expect(readFileSync(path.join(outside, 'file.txt'), 'utf8')).toBe('outside, must stay\n');
  });

  it('clears an index.lock left by a killed process, but not a fresh one', async () => {
    write('a.txt', 'a\n');
    const checkpoints = manager({ gitTimeoutMs: 60_000 });
    await checkpoints.create({ cwd: work });
    const [repo] = readdirSync(path.join(dataDir, 'checkpoints'));
    const lock = path.join(dataDir, 'checkpoints', repo!, 'index.lock');
    writeFileSync(lock, '');
    write('a.txt', 'changed\n');
    await expectCode(checkpoints.create({ cwd: work }), 'MCP_TOOLS_GIT_FAILED', /Another process is using the checkpoint repository/);
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    expect((await checkpoints.create({ cwd: work })).fileCount).toBe(1);
    expect(existsSync(lock)).toBe(false);
  });

  it('skips the data folder when it is inside the working directory, and nested repositories', async () => {
    dataDir = path.join(work, '.state');
    write('a.txt', 'a\n');
    write('nested/inner.txt', 'nested repository file\n');
    userGit(path.join(work, 'nested'), 'init', '-q');
    const nestedGit = folderHash(path.join(work, 'nested'));
    // The SQLite store, so that the data folder holds a live database file to be skipped.
    const store = openStore({ dataDir });
    opened.push(store);
    const checkpoints = manager({ store });
    const first = await checkpoints.create({ cwd: work });
    expect(first.fileCount).toBe(1);
    const second = await checkpoints.create({ cwd: work });
    expect(second.fileCount).toBe(1);
    write('b.txt', 'b\n');
    expect((await checkpoints.restore(first.id)).changed).toEqual({ restored: [], removed: ['b.txt'], recreated: [] });
    expect(folderHash(path.join(work, 'nested'))).toBe(nestedGit);
    expect(existsSync(path.join(work, '.state', 'state.sqlite'))).toBe(true);
  });

  it('applies the enclosing repository ignore rules to a folder inside it', async () => {
    write('.gitignore', 'node_modules\n/pkg/a/dist\n');
    write('pkg/a/src/index.ts', 'export {};\n');
    write('pkg/a/node_modules/dep/index.js', 'dependency\n');
    write('pkg/a/dist/index.js', 'build output\n');
    write('pkg/a/other/dist/kept.js', 'not matched by the anchored pattern\n');
    userGit(work, 'init', '-q');
    const gitBefore = folderHash(path.join(work, '.git'));
    const packageDir = path.join(work, 'pkg', 'a');
    const checkpoints = manager();
    const checkpoint = await checkpoints.create({ cwd: packageDir });
    expect(checkpoint.fileCount).toBe(2);
    write('pkg/a/node_modules/dep/index.js', 'dependency, updated\n');
    write('pkg/a/src/extra.ts', 'extra\n');
    expect((await checkpoints.restore(checkpoint.id)).changed).toEqual({ restored: [], removed: ['src/extra.ts'], recreated: [] });
    expect(readFileSync(path.join(packageDir, 'node_modules/dep/index.js'), 'utf8')).toBe('dependency, updated\n');
    expect(folderHash(path.join(work, '.git'))).toBe(gitBefore);
  });

  it('stops capturing a file that became ignored, and leaves it alone on restore', async () => {
    write('notes.txt', 'first\n');
    write('code.ts', 'code\n');
    const checkpoints = manager();
    const first = await checkpoints.create({ cwd: work });
    write('.gitignore', 'notes.txt\n');
    const second = await checkpoints.create({ cwd: work });
    expect(second.fileCount).toBe(2); // code.ts and .gitignore
    write('notes.txt', 'changed while ignored\n');
    rmSync(path.join(work, '.gitignore'));
    write('.gitignore', 'notes.txt\n');
    expect((await checkpoints.restore(second.id)).changed).toEqual({ restored: [], removed: [], recreated: [] });
    expect(readFileSync(path.join(work, 'notes.txt'), 'utf8')).toBe('changed while ignored\n');
    // The first checkpoint has notes.txt: restoring it brings back its content and removes .gitignore.
    expect((await checkpoints.restore(first.id)).changed).toEqual({ restored: ['notes.txt'], removed: ['.gitignore'], recreated: [] });
    expect(readFileSync(path.join(work, 'notes.txt'), 'utf8')).toBe('first\n');
  });

  it('refuses to restore while the directory is busy', async () => {
    write('a.txt', 'a\n');
    let busy = false;
    const seen: string[] = [];
    const checkpoints = manager({ isBusy: (cwd) => (seen.push(cwd), busy) });
    const checkpoint = await checkpoints.create({ cwd: work });
    write('a.txt', 'changed\n');
    busy = true;
    await expectCode(checkpoints.restore(checkpoint.id), 'MCP_TOOLS_SESSION_BUSY', /wait for it to finish/);
    expect(readFileSync(path.join(work, 'a.txt'), 'utf8')).toBe('changed\n');
    busy = false;
    await checkpoints.restore(checkpoint.id);
    expect(readFileSync(path.join(work, 'a.txt'), 'utf8')).toBe('a\n');
    expect(seen).toEqual([work, work]);
  });

  it('restores into a directory that was deleted and recreated empty, and explains a missing one', async () => {
    write('deep/er/file.txt', 'content\n');
    const checkpoints = manager();
    const checkpoint = await checkpoints.create({ cwd: work });
    rmSync(work, { recursive: true });
    await expectCode(checkpoints.restore(checkpoint.id), 'MCP_TOOLS_DIRECTORY_NOT_FOUND', /create it \(empty is fine\)/);
    mkdirSync(work);
    expect((await checkpoints.restore(checkpoint.id)).changed.recreated).toEqual(['deep/er/file.txt']);
    expect(readFileSync(path.join(work, 'deep/er/file.txt'), 'utf8')).toBe('content\n');
  });
});

describe('compare', () => {
  it('compares two checkpoints with counts, renames and a capped unified diff', async () => {
    const lines = Array.from({ length: 40 }, (_, index) => `line ${index}\n`);
    write('a.txt', lines.join(''));
    write('moved-from.txt', 'a file that will be renamed\nwith enough lines\nto be detected\n');
    write('gone.txt', 'one\ntwo\n');
    const checkpoints = manager();
    const from = await checkpoints.create({ cwd: work, label: 'from' });
    const changedLines = [...lines];
    changedLines[3] = 'line three, changed\n';
    changedLines.splice(10, 2);
    write('a.txt', changedLines.join(''));
    rmSync(path.join(work, 'moved-from.txt'));
    write('sub/moved-to.txt', 'a file that will be renamed\nwith enough lines\nto be detected\n');
    rmSync(path.join(work, 'gone.txt'));
    write('added.txt', 'x\ny\nz\n');
    const to = await checkpoints.create({ cwd: work, label: 'to' });

    const result = await checkpoints.compare(from.id, to.id, { maxDiffBytes: Number.POSITIVE_INFINITY });
    expect(result.from).toEqual(from);
    expect(result.to).toEqual(to);
    expect(result.files).toEqual([
      { path: 'a.txt', oldPath: null, status: 'modified', insertions: 1, deletions: 3, binary: false },
      { path: 'added.txt', oldPath: null, status: 'added', insertions: 3, deletions: 0, binary: false },
      { path: 'gone.txt', oldPath: null, status: 'deleted', insertions: 0, deletions: 2, binary: false },
      { path: 'sub/moved-to.txt', oldPath: 'moved-from.txt', status: 'renamed', insertions: 0, deletions: 0, binary: false },
    ]);
    expect(result).toMatchObject({ insertions: 4, deletions: 5, truncated: false });
    expect(result.fullDiffBytes).toBe(Buffer.byteLength(result.diff));
    expect(result.diff).toMatch(/^diff --git a\/a.txt b\/a.txt\n/);
    expect(result.diff).toContain('-line 3\n+line three, changed\n');
    expect(result.diff).toContain('rename from moved-from.txt\nrename to sub/moved-to.txt\n');
    expect(result.diff).toContain('--- a/gone.txt\n+++ /dev/null\n');

    const capped = await checkpoints.compare(from.id, to.id, { maxDiffBytes: 200 });
    expect(capped.truncated).toBe(true);
    expect(capped.fullDiffBytes).toBe(result.fullDiffBytes);
    expect(Buffer.byteLength(capped.diff)).toBeLessThanOrEqual(200);
    expect(capped.diff.endsWith('\n')).toBe(true);
    expect(result.diff.startsWith(capped.diff)).toBe(true);
    expect(capped.files).toEqual(result.files);

    const reverse = await checkpoints.compare(to.id, from.id);
    expect(reverse.files.find((file) => file.path === 'moved-from.txt')).toMatchObject({ status: 'renamed', oldPath: 'sub/moved-to.txt' });
    expect(reverse).toMatchObject({ insertions: 5, deletions: 4 });

    // No changes: nothing listed, an empty diff.
    expect(await checkpoints.compare(to.id, 'present')).toMatchObject({ files: [], diff: '', truncated: false, fullDiffBytes: 0 });
  });

  it('refuses to compare checkpoints of different directories', async () => {
    const other = path.join(scratch, 'other');
    mkdirSync(other);
    write('a.txt', 'a\n');
    write('b.txt', 'b\n', other);
    const checkpoints = manager();
    const one = await checkpoints.create({ cwd: work });
    const two = await checkpoints.create({ cwd: other });
    await expectCode(checkpoints.compare(one.id, two.id), 'MCP_TOOLS_INVALID_ARGUMENTS', /different directories/);
  });
});

describe('size limits', () => {
  it('refuses a checkpoint over the file-count limit, naming the largest folders, and stores nothing', async () => {
    for (let index = 0; index < 6; index += 1) write(`vendor/lib${index}.js`, `x${index}\n`);
    write('src/a.ts', 'a\n');
    const checkpoints = manager({ maxFiles: 5 });
    const error = await expectCode(checkpoints.create({ cwd: work }), 'MCP_TOOLS_CHECKPOINT_TOO_LARGE');
    expect(error.message).toMatch(/more than 5 files/);
    expect(error.message).toMatch(/vendor\/ \(6 files or more\)/);
    expect(error.message).toMatch(/\.gitignore/);
    expect(error.message).toMatch(/maxFiles/);
    expect(await checkpoints.list()).toEqual([]);

    // Ignoring the folder fixes it.
    write('.gitignore', 'vendor/\n');
    expect((await checkpoints.create({ cwd: work })).fileCount).toBe(2);
  });

  it('refuses a checkpoint over the byte limit', async () => {
    write('big/blob.bin', randomBytes(4096));
    write('small.txt', 'small\n');
    const checkpoints = manager({ maxBytes: 2048 });
    const error = await expectCode(checkpoints.create({ cwd: work }), 'MCP_TOOLS_CHECKPOINT_TOO_LARGE');
    expect(error.message).toMatch(/2 files totalling 4\.0 KiB, over the checkpoint limit of 2\.0 KiB/);
    expect(error.message).toMatch(/Largest entries: big\/ \(1 files, 4\.0 KiB\)/);
    expect(error.message).toMatch(/Nothing was stored/);
    expect(await checkpoints.list()).toEqual([]);
  });

  it('refuses a restore when the present files are over the limit, changing nothing', async () => {
    write('a.txt', 'a\n');
    const store = open();
    const checkpoints = manager({ store, maxFiles: 3 });
    const checkpoint = await checkpoints.create({ cwd: work });
    for (let index = 0; index < 5; index += 1) write(`new/${index}.txt`, 'n\n');
    const before = listing(work);
    await expectCode(checkpoints.restore(checkpoint.id), 'MCP_TOOLS_CHECKPOINT_TOO_LARGE', /nothing was changed/);
    expect([...listing(work)]).toEqual([...before]);
  });
});

describe('list, get, delete, restart', () => {
  it('lists newest first with filters, deletes, and prunes the repository with the last checkpoint', async () => {
    const other = path.join(scratch, 'other');
    mkdirSync(other);
    write('a.txt', 'a\n');
    write('b.txt', 'b\n', other);
    let clock = 1_000;
    const checkpoints = manager({ now: () => (clock += 1_000) });
    const one = await checkpoints.create({ cwd: work, sessionId: 'session-1' });
    const two = await checkpoints.create({ cwd: work, sessionId: 'session-2', label: 'second' });
    const three = await checkpoints.create({ cwd: other, sessionId: 'session-1' });
    expect((await checkpoints.list()).map((c) => c.id)).toEqual([three.id, two.id, one.id]);
    expect((await checkpoints.list({ cwd: work })).map((c) => c.id)).toEqual([two.id, one.id]);
    expect((await checkpoints.list({ sessionId: 'session-1' })).map((c) => c.id)).toEqual([three.id, one.id]);
    expect((await checkpoints.list({ cwd: work, sessionId: 'session-1', limit: 5 })).map((c) => c.id)).toEqual([one.id]);
    expect((await checkpoints.list({ limit: 1 })).map((c) => c.id)).toEqual([three.id]);
    expect(await checkpoints.get(two.id)).toEqual(two);

    await checkpoints.delete(one.id);
    expect(await checkpoints.get(one.id)).toBeUndefined();
    await expectCode(checkpoints.restore(one.id), 'MCP_TOOLS_CHECKPOINT_NOT_FOUND', /list the checkpoints/i);
    await expectCode(checkpoints.delete(one.id), 'MCP_TOOLS_CHECKPOINT_NOT_FOUND');
    expect(readdirSync(path.join(dataDir, 'checkpoints'))).toHaveLength(2);
    write('a.txt', 'changed\n');
    await checkpoints.restore(two.id); // still works after a delete and prune
    expect(readFileSync(path.join(work, 'a.txt'), 'utf8')).toBe('a\n');

    await checkpoints.delete(two.id);
    expect(readdirSync(path.join(dataDir, 'checkpoints'))).toHaveLength(1); // work's repository is gone
    expect((await checkpoints.list()).map((c) => c.id)).toEqual([three.id]);
    // A new checkpoint of work recreates its repository.
    const four = await checkpoints.create({ cwd: work });
    expect(four.fileCount).toBe(1);
  });

  it('survives a restart: reopened store, new manager, list and restore', async () => {
    write('a.txt', 'original\n');
    write('dir/b.txt', 'b\n');
    const first = openStore({ dataDir });
    const before = await createCheckpointManager({ store: first, dataDir }).create({ cwd: work, label: 'persisted' });
    await first.close();

    write('a.txt', 'edited after the restart\n');
    rmSync(path.join(work, 'dir'), { recursive: true });
    const second = openStore({ dataDir });
    opened.push(second);
    const checkpoints = manager({ store: second });
    expect(await checkpoints.list()).toEqual([before]);
    expect((await checkpoints.compare(before.id, 'present')).files.map((file) => file.status)).toEqual(['modified', 'deleted']);
    expect((await checkpoints.restore(before.id)).changed).toEqual({ restored: ['a.txt'], removed: [], recreated: ['dir/b.txt'] });
    expect(readFileSync(path.join(work, 'a.txt'), 'utf8')).toBe('original\n');
  });
});

describe('validation', () => {
  it('rejects malformed ids, and reports unknown well-formed ones as not found', async () => {
    write('a.txt', 'a\n');
    const checkpoints = manager();
    const real = await checkpoints.create({ cwd: work });
    for (const bad of ['', 'nope', '../../etc/passwd', '--all', 'ckpt_XYZ', `${real.id} `, `${real.id}\n`, 'ckpt_0123456789abcdef012', 42, null]) {
      await expectCode(() => checkpoints.get(bad as string), 'MCP_TOOLS_INVALID_ARGUMENTS', /ckpt_/);
      await expectCode(checkpoints.restore(bad as string), 'MCP_TOOLS_INVALID_ARGUMENTS');
      await expectCode(checkpoints.delete(bad as string), 'MCP_TOOLS_INVALID_ARGUMENTS');
      await expectCode(checkpoints.compare(bad as string, 'present'), 'MCP_TOOLS_INVALID_ARGUMENTS');
      await expectCode(checkpoints.compare(real.id, bad as string), 'MCP_TOOLS_INVALID_ARGUMENTS');
    }
    const unknown = 'ckpt_0123456789abcdef0123';
    expect(await checkpoints.get(unknown)).toBeUndefined();
    await expectCode(checkpoints.restore(unknown), 'MCP_TOOLS_CHECKPOINT_NOT_FOUND');
    await expectCode(checkpoints.compare(unknown, real.id), 'MCP_TOOLS_CHECKPOINT_NOT_FOUND');
    await expectCode(checkpoints.compare(real.id, 'present', { maxDiffBytes: -1 }), 'MCP_TOOLS_INVALID_ARGUMENTS');
  });

  it('rejects bad directories, labels and conversation ids', async () => {
    write('file.txt', 'x\n');
    const checkpoints = manager();
    await expectCode(checkpoints.create({ cwd: 'relative/path' }), 'MCP_TOOLS_INVALID_ARGUMENTS', /absolute/);
    await expectCode(checkpoints.create({ cwd: path.join(work, 'missing') }), 'MCP_TOOLS_DIRECTORY_NOT_FOUND');
    await expectCode(checkpoints.create({ cwd: path.join(work, 'file.txt') }), 'MCP_TOOLS_NOT_A_DIRECTORY');
    await expectCode(checkpoints.create({ cwd: '/' }), 'MCP_TOOLS_INVALID_ARGUMENTS', /root/);
    await expectCode(checkpoints.create({ cwd: dataDir }), 'MCP_TOOLS_INVALID_ARGUMENTS', /data folder/);
    await expectCode(checkpoints.create({ cwd: work, label: 'two\nlines' }), 'MCP_TOOLS_INVALID_ARGUMENTS', /label/);
    await expectCode(checkpoints.create({ cwd: work, sessionId: '--exec=rm' }), 'MCP_TOOLS_INVALID_ARGUMENTS', /sessionId/);
    await expectCode(checkpoints.create({ cwd: work, lastMessageId: 'has space' }), 'MCP_TOOLS_INVALID_ARGUMENTS', /lastMessageId/);
    expect(await checkpoints.list()).toEqual([]);
  });

  it('rejects bad options and explains a missing git', async () => {
    const store = open();
    await expectCode(() => createCheckpointManager({ store, dataDir, maxFiles: 0 }), 'MCP_TOOLS_INVALID_OPTIONS', /maxFiles/);
    await expectCode(() => createCheckpointManager({ store, dataDir, git: 'bin/git' }), 'MCP_TOOLS_INVALID_OPTIONS', /git/);
    await expectCode(() => createCheckpointManager({ store, dataDir: 'relative' }), 'MCP_TOOLS_INVALID_OPTIONS', /dataDir/);
    const checkpoints = createCheckpointManager({ store, dataDir, git: '/nonexistent/git' });
    write('a.txt', 'a\n');
    await expectCode(checkpoints.create({ cwd: work }), 'MCP_TOOLS_GIT_FAILED', /was not found; install git/);
  });
});
