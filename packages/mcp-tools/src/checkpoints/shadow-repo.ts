// Internal: one shadow git repository per working directory, kept in the server's data folder.
// The work tree is the user's directory; the git dir, index and objects are ours alone, so the
// user's own `.git` (index, branches, config, hooks) is never read for writing nor written.
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

import type { McpToolsError } from '../errors.js';
import { createNulCollector, isIndexLockError, splitNul, type GitCall, type GitResult, type GitRunner } from './git.js';

/** Directory name of a shadow repository: 32 hex digits of sha256(real path of the cwd) + `.git`. */
export const REPO_NAME_PATTERN = /^[0-9a-f]{32}\.git$/;

/** The shadow repository name for a working directory's real path. */
export function repoNameFor(realCwd: string): string {
  return `${createHash('sha256').update(realCwd).digest('hex').slice(0, 32)}.git`;
}

// Repository settings that must not come from anywhere else. The global and system config are
// not read at all (GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM); these also cover old gits that still
// read them, and defaults that read files from the user's home (excludesFile, attributesFile).
const CONFIG = `[core]
\tautocrlf = false
\tsafecrlf = false
\texcludesFile = /dev/null
\tattributesFile = /dev/null
\thooksPath = /dev/null
\tfsmonitor = false
\tuntrackedCache = false
\tsparseCheckout = false
\tlogAllRefUpdates = false
\tquotePath = false
[index]
\tversion = 4
[gc]
\tauto = 0
[maintenance]
\tauto = false
[commit]
\tgpgSign = false
[submodule]
\trecurse = false
`;

// Highest-priority attributes: store and restore every file byte for byte, whatever the work
// tree's .gitattributes say (no end-of-line conversion, no clean/smudge filters, no re-encoding).
const ATTRIBUTES = '* -text !eol -filter -ident !working-tree-encoding\n';

/** From this many new files on, a capture writes them into one pack (see `snapshot`). */
const BULK_CAPTURE_FILES = 500;

const EXCLUDE_HEADER = '# Written by claude-code-mcp checkpoints on every capture; do not edit.\n';

/** Size limits of what one capture may hold. */
export interface SnapshotLimits {
  maxFiles: number;
  maxBytes: number;
}

/** A capture of the working directory as a git tree. */
export interface Snapshot {
  /** Tree object id. */
  tree: string;
  /** Files (and symbolic links) captured. */
  fileCount: number;
  /** Their total size in bytes. */
  bytes: number;
}

/** What would have been captured when a limit was exceeded. */
export interface Overage {
  /** Files seen; a lower bound when {@link Overage.countIsLowerBound}. */
  files: number;
  bytes: number;
  /** `true` when the listing stopped early because there were already too many files. */
  countIsLowerBound: boolean;
  /** The largest top-level entries: `name/` for folders. */
  largest: { name: string; files: number; bytes: number }[];
}

/** One working directory's shadow repository. */
export interface ShadowRepo {
  /** {@link repoNameFor} of the work tree. */
  readonly name: string;
  readonly gitDir: string;
  /** Real path of the working directory. */
  readonly workTree: string;
}

/** Operations on shadow repositories under one `<dataDir>/checkpoints` folder. */
export class ShadowRepos {
  readonly #git: GitRunner;
  readonly #root: string;
  readonly #dataDir: string;
  readonly #staleLockMs: number;

  constructor(git: GitRunner, dataDir: string, staleLockMs: number) {
    this.#git = git;
    this.#dataDir = dataDir;
    this.#root = path.join(dataDir, 'checkpoints');
    this.#staleLockMs = staleLockMs;
  }

  /** The shadow repository record for `name` (no disk access). */
  repo(name: string, workTree: string): ShadowRepo {
    return { name, gitDir: path.join(this.#root, name), workTree };
  }

  /** `true` when the repository exists on disk. */
  async exists(repo: ShadowRepo): Promise<boolean> {
    try {
      return (await stat(path.join(repo.gitDir, 'HEAD'))).isFile();
    } catch {
      return false;
    }
  }

  /** Creates the repository when missing (atomically: built aside, then renamed into place). */
  async ensure(repo: ShadowRepo): Promise<void> {
    if (await this.exists(repo)) return;
    await mkdir(this.#root, { recursive: true, mode: 0o700 });
    const staging = `${repo.gitDir}.init-${randomBytes(6).toString('hex')}`;
    await mkdir(staging, { mode: 0o700 });
    try {
      await this.#git.run({ gitDir: staging, args: ['init', '--bare', '--quiet', '--template='] });
      const config = await readFile(path.join(staging, 'config'), 'utf8');
      await writeFile(path.join(staging, 'config'), `${config}${CONFIG}`);
      await mkdir(path.join(staging, 'info'), { mode: 0o700 });
      await writeFile(path.join(staging, 'info', 'attributes'), ATTRIBUTES);
      await writeFile(path.join(staging, 'info', 'exclude'), EXCLUDE_HEADER);
      await writeFile(path.join(staging, 'description'), `Checkpoints of ${repo.workTree}\n`);
      try {
        await rename(staging, repo.gitDir);
      } catch (error) {
        // Another process created it meanwhile: use theirs.
        if (!(await this.exists(repo))) throw error;
      }
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Removes the repository and all its objects. */
  async remove(repo: ShadowRepo): Promise<void> {
    await rm(repo.gitDir, { recursive: true, force: true });
  }

  /**
   * Drops unreferenced objects older than `expiry` (a git date such as `15.minutes.ago`, so that
   * a capture in flight in another process keeps its new objects): `git prune` for loose objects,
   * and a full `git gc` once several packs (from large captures) have piled up.
   */
  async tidy(repo: ShadowRepo, expiry: string): Promise<void> {
    let packs = 0;
    try {
      packs = (await readdir(path.join(repo.gitDir, 'objects', 'pack'))).filter((name) => name.endsWith('.pack')).length;
    } catch {
      // no pack folder yet
    }
    await this.git(repo, { args: packs >= 4 ? ['gc', '--quiet', `--prune=${expiry}`] : ['prune', `--expire=${expiry}`] });
  }

  /** Runs git in `repo`, clearing an `index.lock` left behind by a killed process (once). */
  async git(repo: ShadowRepo, call: Omit<GitCall, 'gitDir'>): Promise<GitResult> {
    const full: GitCall = { ...call, gitDir: repo.gitDir };
    try {
      return await this.#git.run(full);
    } catch (error) {
      if (!isIndexLockError(error) || !(await this.#clearStaleLock(repo))) throw error;
      return this.#git.run(full);
    }
  }

  async #clearStaleLock(repo: ShadowRepo): Promise<boolean> {
    const lock = path.join(repo.gitDir, 'index.lock');
    try {
      // Every git call is killed after the timeout, so an older lock has no live owner.
      if (Date.now() - (await stat(lock)).mtimeMs < this.#staleLockMs) return false;
      await rm(lock, { force: true });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Captures the work tree into the repository's index and returns its tree: every file that is
   * not ignored (the work tree's .gitignore files, the enclosing repository's ignore files when
   * the work tree is a folder inside one, and that repository's `.git/info/exclude`). `.git`
   * folders are never captured; nested repositories (sub-folders with their own `.git`) and the
   * data folder are skipped. Throws `overLimit(overage)` before writing any object when the capture
   * would exceed `limits`.
   */
  async snapshot(
    repo: ShadowRepo,
    limits: SnapshotLimits,
    overLimit: (overage: Overage) => McpToolsError,
  ): Promise<Snapshot> {
    const workTree = repo.workTree;
    const base = await this.#baseExcludes(repo);
    await this.#writeExclude(repo, base);

    // Untracked, not ignored files; nested repositories show up as "dir/".
    const collector = createNulCollector(limits.maxFiles);
    const listing = await this.git(repo, {
      workTree,
      args: ['ls-files', '-z', '--others', '--exclude-standard'],
      onStdout: (chunk) => collector.add(chunk),
    });
    const untracked: Buffer[] = [];
    const nested: Buffer[] = [];
    for (const entry of collector.finish()) {
      if (entry.at(-1) === 0x2f) nested.push(entry);
      else untracked.push(entry);
    }
    if (listing.stopped) {
      throw overLimit({
        ...summarize(untracked.map((name) => ({ name, bytes: 0 })), 'files'),
        countIsLowerBound: true,
      });
    }
    if (nested.length > 0) await this.#writeExclude(repo, [...base, ...nested.map(anchored)]);

    // Files captured before but ignored now leave the index, so that they are neither captured
    // nor (on restore) deleted.
    const ignored = splitNul(
      (await this.git(repo, { workTree, args: ['ls-files', '-z', '--cached', '--ignored', '--exclude-standard'] }))
        .stdout,
    );
    if (ignored.length > 0) {
      await this.git(repo, {
        workTree,
        args: ['update-index', '-z', '--force-remove', '--stdin'],
        input: Buffer.concat(ignored.flatMap((entry) => [entry, Buffer.from([0])])),
      });
    }
    const cached = splitNul((await this.git(repo, { workTree, args: ['ls-files', '-z', '--cached'] })).stdout);

    const sizes = await sizesOf(workTree, [...cached, ...untracked]);
    const bytes = sizes.reduce((sum, entry) => sum + entry.bytes, 0);
    if (sizes.length > limits.maxFiles || bytes > limits.maxBytes) {
      throw overLimit({ ...summarize(sizes, sizes.length > limits.maxFiles ? 'files' : 'bytes'), countIsLowerBound: false });
    }

    // Many new files (a first capture): stream them into one pack instead of one loose object
    // file each, which is several times faster on slow file systems and much smaller on disk.
    // A few changed files stay loose objects, which `git prune` can remove once unreferenced.
    const bulk = untracked.length >= BULK_CAPTURE_FILES ? ['-c', 'core.bigFileThreshold=1'] : [];
    await this.git(repo, { workTree, args: [...bulk, 'add', '--all'] });
    const tree = (await this.git(repo, { workTree, args: ['write-tree'] })).stdout.toString('utf8').trim();
    return { tree, fileCount: sizes.length, bytes };
  }

  /** Exclude patterns that do not depend on the listing: the data folder, the user's ignore rules. */
  async #baseExcludes(repo: ShadowRepo): Promise<Buffer[]> {
    const workTree = repo.workTree;
    const patterns: Buffer[] = [];
    const dataRelative = path.relative(workTree, this.#dataDir);
    if (dataRelative !== '' && !dataRelative.startsWith('..') && !path.isAbsolute(dataRelative)) {
      patterns.push(anchored(Buffer.from(`${dataRelative.split(path.sep).join('/')}/`)));
    }
    const enclosing = findEnclosingRepository(workTree);
    if (enclosing === undefined) return patterns;
    const userExclude = readUserExclude(enclosing);
    if (enclosing === workTree) return userExclude === undefined ? patterns : [...patterns, userExclude];

    // The work tree is a folder inside the user's repository: ask git which paths under it the
    // repository's ignore files (from its root down) exclude, and exclude exactly those.
    const relative = path.relative(enclosing, workTree).split(path.sep).join('/');
    const probeExclude: Buffer[] = [];
    if (userExclude !== undefined) probeExclude.push(userExclude);
    const dataFromRoot = path.relative(enclosing, this.#dataDir);
    if (!dataFromRoot.startsWith('..') && !path.isAbsolute(dataFromRoot)) {
      probeExclude.push(anchored(Buffer.from(`${dataFromRoot.split(path.sep).join('/')}/`)));
    }
    await this.#writeExclude(repo, probeExclude);
    const probeEnv = { GIT_INDEX_FILE: path.join(repo.gitDir, 'probe-index-never-written') };
    const candidates = (
      await this.git(repo, {
        workTree: enclosing,
        args: ['--literal-pathspecs', 'ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory', '--', relative],
        env: probeEnv,
      })
    ).stdout;
    if (candidates.length === 0) return patterns;
    // `--directory` also names folders that merely contain ignored files; check-ignore keeps
    // only the paths an ignore rule really matches.
    const matched = splitNul(
      (
        await this.git(repo, {
          workTree: enclosing,
          args: ['check-ignore', '-z', '--stdin'],
          input: candidates,
          okCodes: [0, 1],
          env: probeEnv,
        })
      ).stdout,
    );
    const prefix = Buffer.from(`${relative}/`);
    for (const entry of matched) {
      // The work tree itself (or a folder above it) is ignored by the enclosing repository:
      // capture it anyway, since the caller asked for it, with only its own ignore files.
      if (entry.length <= prefix.length && prefix.subarray(0, entry.length).equals(entry)) return patterns;
      if (entry.subarray(0, prefix.length).equals(prefix)) patterns.push(anchored(entry.subarray(prefix.length)));
    }
    return patterns;
  }

  async #writeExclude(repo: ShadowRepo, patterns: readonly Buffer[]): Promise<void> {
    const content = Buffer.concat([Buffer.from(EXCLUDE_HEADER), ...patterns.flatMap((pattern) => [pattern, Buffer.from('\n')])]);
    const file = path.join(repo.gitDir, 'info', 'exclude');
    try {
      if ((await readFile(file)).equals(content)) return;
    } catch {
      // missing: write it
    }
    await writeFile(file, content);
  }
}

/** The nearest folder at or above `directory` holding a `.git` entry, or `undefined`. */
function findEnclosingRepository(directory: string): string | undefined {
  for (let current = directory; ; ) {
    if (lstatSync(path.join(current, '.git'), { throwIfNoEntry: false }) !== undefined) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** The user's `<repo>/.git/info/exclude` (read only), when `.git` is a folder holding one. */
function readUserExclude(repository: string): Buffer | undefined {
  try {
    const content = readFileSync(path.join(repository, '.git', 'info', 'exclude'));
    return content.length === 0 ? undefined : content;
  } catch {
    return undefined;
  }
}

/** An ignore pattern matching exactly `relative` (a work-tree path; a trailing `/` marks a folder). */
function anchored(relative: Buffer): Buffer {
  const escaped: number[] = [0x2f]; // leading "/": anchored at the top of the work tree
  for (const byte of relative) {
    if (byte === 0x0a || byte === 0x0d) continue; // cannot be written in an ignore file
    // \ * ? [ ] ! # and space are special in ignore patterns; a backslash makes each literal.
    if ([0x5c, 0x2a, 0x3f, 0x5b, 0x5d, 0x21, 0x23, 0x20].includes(byte)) escaped.push(0x5c);
    escaped.push(byte);
  }
  return Buffer.from(escaped);
}

interface SizedPath {
  name: Buffer;
  bytes: number;
}

/** `lstat`s each path (duplicates once); files and symbolic links only, missing ones skipped. */
async function sizesOf(workTree: string, relatives: readonly Buffer[]): Promise<SizedPath[]> {
  const prefix = Buffer.from(workTree + path.sep);
  const seen = new Set<string>();
  const sizes: SizedPath[] = [];
  for (let index = 0; index < relatives.length; index += 1) {
    const name = relatives[index]!;
    const key = name.toString('latin1');
    if (seen.has(key)) continue;
    seen.add(key);
    let stats;
    try {
      stats = lstatSync(Buffer.concat([prefix, name]), { throwIfNoEntry: false });
    } catch {
      stats = undefined; // unreadable: git add reports it
    }
    if (stats !== undefined && (stats.isFile() || stats.isSymbolicLink())) sizes.push({ name, bytes: stats.size });
    // Synchronous lstat is several times faster than the promise API; yield now and then.
    if (index % 4096 === 4095) await yieldToEventLoop();
  }
  return sizes;
}

/** Totals and the five largest top-level entries, for the size-limit message. */
function summarize(paths: readonly SizedPath[], by: 'files' | 'bytes'): Omit<Overage, 'countIsLowerBound'> {
  const byTop = new Map<string, { name: string; files: number; bytes: number }>();
  let bytes = 0;
  for (const entry of paths) {
    bytes += entry.bytes;
    const text = entry.name.toString('utf8');
    const slash = text.indexOf('/');
    const name = slash === -1 ? text : `${text.slice(0, slash)}/`;
    const group = byTop.get(name) ?? { name, files: 0, bytes: 0 };
    group.files += 1;
    group.bytes += entry.bytes;
    byTop.set(name, group);
  }
  const largest = [...byTop.values()]
    .sort((a, b) => (by === 'bytes' ? b.bytes - a.bytes || b.files - a.files : b.files - a.files || b.bytes - a.bytes) || a.name.localeCompare(b.name))
    .slice(0, 5);
  return { files: paths.length, bytes, largest };
}
