import { randomBytes } from 'node:crypto';
import { lstatSync, realpathSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { StatementSync } from 'node:sqlite';

import { McpToolsError } from '../errors.js';
import type { ClaudeToolsStore } from '../store/index.js';
import { guard } from '../store/store-error.js';
import { createGitRunner, splitNul } from './git.js';
import { REPO_NAME_PATTERN, repoNameFor, ShadowRepos, type Overage, type ShadowRepo, type SnapshotLimits } from './shadow-repo.js';

/** Default {@link CheckpointManagerOptions.maxFiles}. */
export const DEFAULT_CHECKPOINT_MAX_FILES = 50_000;
/** Default {@link CheckpointManagerOptions.maxBytes}: 256 MiB. */
export const DEFAULT_CHECKPOINT_MAX_BYTES = 256 * 1024 * 1024;
/** Default {@link CompareCheckpointsOptions.maxDiffBytes}: 64 KiB. */
export const DEFAULT_MAX_DIFF_BYTES = 64 * 1024;
/** Shape of a checkpoint id: `ckpt_` and 20 lowercase hex digits. */
export const CHECKPOINT_ID_PATTERN: RegExp = /^ckpt_[0-9a-f]{20}$/;

const DEFAULT_GIT_TIMEOUT_MS = 5 * 60 * 1000;
/** Deleted checkpoints' objects are pruned once this old, so a capture in flight in another process keeps its new objects. */
const PRUNE_EXPIRY = '15.minutes.ago';
const CONVERSATION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const OID_PATTERN = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const MAX_LABEL_LENGTH = 200;

/**
 * Options for {@link createCheckpointManager}.
 *
 * @example
 * ```ts
 * const options: CheckpointManagerOptions = { store, maxFiles: 20_000, isBusy: (cwd) => runtime.isRunningIn(cwd) };
 * ```
 */
export interface CheckpointManagerOptions {
  /** The state store; checkpoints are rows of its `checkpoints` table. */
  store: ClaudeToolsStore;
  /** Absolute data folder; shadow repositories go to `<dataDir>/checkpoints/`. Defaults to the store's folder. */
  dataDir?: string;
  /** Most files one checkpoint may capture; default {@link DEFAULT_CHECKPOINT_MAX_FILES}. */
  maxFiles?: number;
  /** Most bytes one checkpoint may capture; default {@link DEFAULT_CHECKPOINT_MAX_BYTES}. */
  maxBytes?: number;
  /** The git binary: a command name looked up on `PATH` (default `git`) or an absolute path. */
  git?: string;
  /** Clock for `createdAt`, epoch ms; defaults to `Date.now`. */
  now?: () => number;
  /**
   * Optional guard: when it returns `true` for a checkpoint's directory (its real path),
   * `restore` refuses with `MCP_TOOLS_SESSION_BUSY` before touching any file.
   */
  isBusy?: (cwd: string) => boolean;
  /** Each git call is killed after this many ms; default 5 minutes. */
  gitTimeoutMs?: number;
}

/**
 * A stored checkpoint. Records are frozen.
 *
 * @example
 * ```ts
 * const line = (c: CheckpointRecord): string =>
 *   `${c.id} ${c.label ?? ''} ${new Date(c.createdAt).toISOString()} ${c.fileCount} files`;
 * ```
 */
export interface CheckpointRecord {
  /** `ckpt_` and 20 hex digits; see {@link CHECKPOINT_ID_PATTERN}. */
  readonly id: string;
  /** Free text given at creation, or `null`. */
  readonly label: string | null;
  /** Real path of the working directory. */
  readonly cwd: string;
  /** Claude Code session id at that moment, or `null`. */
  readonly sessionId: string | null;
  /** uuid of the session's last message at that moment (for `--resume-session-at`), or `null`. */
  readonly lastMessageId: string | null;
  /** The commit in the directory's shadow repository. */
  readonly commit: string;
  /** Files (and symbolic links) captured. */
  readonly fileCount: number;
  /** Their total size in bytes. */
  readonly bytes: number;
  /** Creation time, epoch ms. */
  readonly createdAt: number;
}

/** What {@link CheckpointManager.create} takes. */
export interface CreateCheckpointInput {
  /** Absolute working directory (symbolic links are resolved; the real path is stored). */
  cwd: string;
  /** Free text, up to 200 characters without control characters. */
  label?: string | null;
  /** Claude Code session id (letters, digits, `.`, `_`, `:`, `-`; a UUID in practice). */
  sessionId?: string | null;
  /** uuid of the session's last message. */
  lastMessageId?: string | null;
}

/** Filter for {@link CheckpointManager.list}. */
export interface ListCheckpointsFilter {
  /** Only checkpoints of this directory (symbolic links resolved when it exists). */
  cwd?: string;
  /** Only checkpoints taken in this session. */
  sessionId?: string;
  /** At most this many (newest first). */
  limit?: number;
}

/** What {@link CheckpointManager.restore} changed, as work-tree-relative paths with `/`, sorted. */
export interface RestoreChanges {
  /** Existed with other content, mode or type; now as in the checkpoint. */
  readonly restored: readonly string[];
  /** Not in the checkpoint (and not ignored); deleted, with folders left empty by that. */
  readonly removed: readonly string[];
  /** In the checkpoint but missing; written back. */
  readonly recreated: readonly string[];
}

/** Result of {@link CheckpointManager.restore}. */
export interface RestoreResult {
  readonly checkpoint: CheckpointRecord;
  readonly changed: RestoreChanges;
}

/** Options of {@link CheckpointManager.compare}. */
export interface CompareCheckpointsOptions {
  /** Cap of the returned unified diff in bytes (cut at a line end); `Infinity` for all of it. Default 64 KiB. */
  maxDiffBytes?: number;
}

/** One changed file of a comparison. */
export interface ChangedFile {
  /** Path (after the change, for a rename), relative to the working directory, with `/`. */
  readonly path: string;
  /** The path before a rename; `null` otherwise. */
  readonly oldPath: string | null;
  readonly status: 'added' | 'modified' | 'deleted' | 'renamed';
  /** Lines added; 0 for a binary file. */
  readonly insertions: number;
  /** Lines removed; 0 for a binary file. */
  readonly deletions: number;
  readonly binary: boolean;
}

/** Result of {@link CheckpointManager.compare}: what changed from `from` to `to`. */
export interface CompareResult {
  readonly from: CheckpointRecord;
  /** The second checkpoint, or `'present'` for the directory's current files. */
  readonly to: CheckpointRecord | 'present';
  /** Changed files, sorted by path; renames are detected. */
  readonly files: readonly ChangedFile[];
  readonly insertions: number;
  readonly deletions: number;
  /** Unified diff (`a/` and `b/` prefixes), cut at a line end to `maxDiffBytes`. Binary files show as "Binary files … differ". */
  readonly diff: string;
  /** `true` when {@link CompareResult.diff} was cut. */
  readonly truncated: boolean;
  /** Size of the whole diff in bytes. */
  readonly fullDiffBytes: number;
}

/**
 * Checkpoints of working directories: see {@link createCheckpointManager}.
 */
export interface CheckpointManager {
  /**
   * Captures `cwd`'s files (all that are not ignored) and stores a checkpoint with the given
   * conversation point. Throws `MCP_TOOLS_CHECKPOINT_TOO_LARGE` (nothing written) over the size
   * limits, `MCP_TOOLS_INVALID_ARGUMENTS` / `MCP_TOOLS_DIRECTORY_NOT_FOUND` /
   * `MCP_TOOLS_NOT_A_DIRECTORY` for bad input, `MCP_TOOLS_GIT_FAILED`, `MCP_TOOLS_STORE_FAILED`.
   */
  create(input: CreateCheckpointInput): Promise<CheckpointRecord>;
  /** Stored checkpoints, newest first. */
  list(filter?: ListCheckpointsFilter): CheckpointRecord[];
  /** The checkpoint with this id, or `undefined`. Throws `MCP_TOOLS_INVALID_ARGUMENTS` for a malformed id. */
  get(id: string): CheckpointRecord | undefined;
  /**
   * Makes the directory's files exactly the checkpoint's: changed files reverted, files that are
   * not in it deleted (ignored files excepted: they are never touched), deleted files written
   * back, file modes and symbolic links included. Empty folders are not tracked. Throws
   * `MCP_TOOLS_CHECKPOINT_NOT_FOUND`, `MCP_TOOLS_SESSION_BUSY` (the `isBusy` guard),
   * `MCP_TOOLS_DIRECTORY_NOT_FOUND` (the folder is gone: recreate it empty to restore into it),
   * `MCP_TOOLS_CHECKPOINT_TOO_LARGE` (the current files, captured first, exceed the limits;
   * nothing changed).
   */
  restore(id: string): Promise<RestoreResult>;
  /** What changed from checkpoint `fromId` to checkpoint `toId` (same directory) or to the present files. */
  compare(fromId: string, toId: string, options?: CompareCheckpointsOptions): Promise<CompareResult>;
  /** Deletes the checkpoint; its git objects are pruned later (at once when it was the directory's last one). */
  delete(id: string): Promise<void>;
}

interface StoredCheckpoint {
  record: CheckpointRecord;
  repo: string;
}

type Row = NonNullable<ReturnType<StatementSync['get']>>;

function toStored(row: Row): StoredCheckpoint {
  return {
    repo: String(row.repo),
    record: Object.freeze({
      id: String(row.id),
      label: row.label == null ? null : String(row.label),
      cwd: String(row.cwd),
      sessionId: row.session_id == null ? null : String(row.session_id),
      lastMessageId: row.last_message_id == null ? null : String(row.last_message_id),
      commit: String(row.commit_oid),
      fileCount: Number(row.file_count),
      bytes: Number(row.bytes),
      createdAt: Number(row.created_at),
    }),
  };
}

// One queue per shadow repository for the whole process, so two managers never interleave git
// work (index, exclude file, prune) on the same repository.
const queues = new Map<string, Promise<void>>();

async function exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(work);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, tail);
  try {
    return await run;
  } finally {
    if (queues.get(key) === tail) queues.delete(key);
  }
}

function invalidOptions(message: string): McpToolsError {
  return new McpToolsError('MCP_TOOLS_INVALID_OPTIONS', `Invalid checkpoint options: ${message}.`);
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalidOptions(`${name} must be a whole number of at least 1 (got ${typeof value === 'number' ? value : typeof value})`);
  }
  return value;
}

function invalidArgument(message: string): McpToolsError {
  return new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', message);
}

function checkId(id: unknown, what = 'checkpoint id'): string {
  if (typeof id !== 'string' || !CHECKPOINT_ID_PATTERN.test(id)) {
    let shown: string;
    try {
      shown = typeof id === 'string' ? JSON.stringify(id.slice(0, 80)) : String(id);
    } catch {
      shown = typeof id;
    }
    throw invalidArgument(
      `Invalid ${what} ${shown}: checkpoint ids look like "ckpt_" followed by 20 hex digits; list the checkpoints to find one.`,
    );
  }
  return id;
}

function optionalConversationId(name: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !CONVERSATION_ID_PATTERN.test(value)) {
    throw invalidArgument(
      `Invalid ${name}: expected up to 128 letters, digits, ".", "_", ":" or "-" (such as a UUID), got ${typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value}.`,
    );
  }
  return value;
}

function optionalLabel(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value.length > MAX_LABEL_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
    throw invalidArgument(`Invalid label: it must be text of at most ${MAX_LABEL_LENGTH} characters, without line breaks or control characters.`);
  }
  return value;
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function formatBytes(value: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let amount = value;
  let unit = 0;
  while (amount >= 1024 && unit < units.length - 1) {
    amount /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${amount} bytes` : `${amount.toFixed(1)} ${units[unit]}`;
}

function tooLarge(doing: string, overage: Overage, limits: SnapshotLimits, after: string): McpToolsError {
  const found = overage.countIsLowerBound
    ? `more than ${formatCount(limits.maxFiles)} files`
    : `${formatCount(overage.files)} files totalling ${formatBytes(overage.bytes)}`;
  const exceeded: string[] = [];
  if (overage.countIsLowerBound || overage.files > limits.maxFiles) exceeded.push(`${formatCount(limits.maxFiles)} files`);
  if (!overage.countIsLowerBound && overage.bytes > limits.maxBytes) exceeded.push(formatBytes(limits.maxBytes));
  const largest = overage.largest
    .map((entry) => `${entry.name} (${formatCount(entry.files)} files${overage.countIsLowerBound ? ' or more' : `, ${formatBytes(entry.bytes)}`})`)
    .join(', ');
  return new McpToolsError(
    'MCP_TOOLS_CHECKPOINT_TOO_LARGE',
    `Cannot ${doing}: it would capture ${found}, over the checkpoint limit of ${exceeded.join(' and ')}.` +
      (largest === '' ? '' : ` Largest entries: ${largest}.`) +
      ' Add what needs no checkpoint (dependencies, build output, data files) to .gitignore, since ignored files are skipped, or raise the checkpoint limits (maxFiles, maxBytes).' +
      after,
  );
}

function zeroOid(like: string): string {
  return '0'.repeat(like.length);
}

/** `path` of git output (work-tree relative, `/`-separated) as text. */
function text(entry: Buffer): string {
  return entry.toString('utf8');
}

/**
 * Creates the checkpoint engine: each checkpoint captures a working directory's files in a
 * shadow git repository under `<dataDir>/checkpoints/` (one per directory, objects shared by all
 * its checkpoints, so an unchanged file costs nothing), with the Claude session id and last
 * message uuid of that moment, and is a row of the store's `checkpoints` table; all of it
 * survives a restart. The user's own `.git`, index, branches and config are never touched: every
 * git call uses an explicit `--git-dir` and `--work-tree`, no global or system config and no
 * shell. The work tree's ignore files are respected (and, for a folder inside a repository, that
 * repository's); `.git` folders and nested repositories are never captured.
 *
 * Mutating work on one directory is serialized within the process; create one manager per
 * process and share it. Requires the system `git`.
 *
 * @throws {@link McpToolsError} `MCP_TOOLS_INVALID_OPTIONS` for bad options.
 *
 * @example
 * ```ts
 * const checkpoints = createCheckpointManager({ store, isBusy: (cwd) => runtime.isBusyIn(cwd) });
 * const before = await checkpoints.create({ cwd, label: 'before refactor', sessionId, lastMessageId });
 * // … Claude edits files …
 * const { files, diff } = await checkpoints.compare(before.id, 'present');
 * const { changed } = await checkpoints.restore(before.id);
 * ```
 */
export function createCheckpointManager(options: CheckpointManagerOptions): CheckpointManager {
  if (typeof options !== 'object' || options === null) throw invalidOptions('options must be an object');
  const { store } = options;
  if (
    typeof store !== 'object' ||
    store === null ||
    typeof store.transaction !== 'function' ||
    typeof store.path !== 'string' ||
    typeof store.database !== 'object'
  ) {
    throw invalidOptions('store must be a ClaudeToolsStore from openStore()');
  }
  const dataDirOption = options.dataDir ?? path.dirname(store.path);
  if (typeof dataDirOption !== 'string' || !path.isAbsolute(dataDirOption) || dataDirOption.includes('\0')) {
    throw invalidOptions('dataDir must be an absolute path');
  }
  const limits: SnapshotLimits = {
    maxFiles: positiveInteger('maxFiles', options.maxFiles, DEFAULT_CHECKPOINT_MAX_FILES),
    maxBytes: positiveInteger('maxBytes', options.maxBytes, DEFAULT_CHECKPOINT_MAX_BYTES),
  };
  const timeoutMs = positiveInteger('gitTimeoutMs', options.gitTimeoutMs, DEFAULT_GIT_TIMEOUT_MS);
  const gitBinary = options.git ?? 'git';
  if (
    typeof gitBinary !== 'string' ||
    gitBinary === '' ||
    gitBinary.includes('\0') ||
    (/[/\\]/.test(gitBinary) && !path.isAbsolute(gitBinary))
  ) {
    throw invalidOptions('git must be a command name or an absolute path');
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw invalidOptions('now must be a function');
  const isBusy = options.isBusy;
  if (isBusy !== undefined && typeof isBusy !== 'function') throw invalidOptions('isBusy must be a function');

  let dataDir: string;
  try {
    dataDir = realpathSync.native(dataDirOption);
  } catch {
    dataDir = path.resolve(dataDirOption);
  }
  const repos = new ShadowRepos(createGitRunner(gitBinary, timeoutMs), dataDir, timeoutMs);
  const database = store.database;
  const where = store.path;
  const statements = guard(`prepare the checkpoint statements of ${where}`, () => ({
    insert: database.prepare(
      `INSERT INTO checkpoints (id, cwd, repo, label, session_id, last_message_id, commit_oid, file_count, bytes, created_at)
       VALUES (:id, :cwd, :repo, :label, :sessionId, :lastMessageId, :commit, :fileCount, :bytes, :createdAt)
       RETURNING *`,
    ),
    get: database.prepare('SELECT * FROM checkpoints WHERE id = ?'),
    list: database.prepare(
      `SELECT * FROM checkpoints
       WHERE (:cwd IS NULL OR cwd = :cwd) AND (:sessionId IS NULL OR session_id = :sessionId)
       ORDER BY created_at DESC, rowid DESC LIMIT :limit`,
    ),
    remove: database.prepare('DELETE FROM checkpoints WHERE id = ?'),
    countInRepo: database.prepare('SELECT COUNT(*) AS count FROM checkpoints WHERE repo = ?'),
  }));
  const use = <T>(action: string, work: () => T): T => guard(`${action} in ${where}`, work);

  const find = (id: string): StoredCheckpoint | undefined =>
    use('read a checkpoint', () => {
      const row = statements.get.get(id);
      return row === undefined ? undefined : toStored(row);
    });

  const mustFind = (id: unknown, what = 'checkpoint id'): StoredCheckpoint => {
    const stored = find(checkId(id, what));
    if (stored === undefined) {
      throw new McpToolsError(
        'MCP_TOOLS_CHECKPOINT_NOT_FOUND',
        `No checkpoint with id "${String(id)}" is stored; it may have been deleted. List the checkpoints to find a valid id.`,
      );
    }
    if (!REPO_NAME_PATTERN.test(stored.repo) || !OID_PATTERN.test(stored.record.commit)) {
      throw new McpToolsError(
        'MCP_TOOLS_STORE_FAILED',
        `The stored checkpoint "${String(id)}" is malformed (repository or commit); delete it.`,
      );
    }
    return stored;
  };

  /** Resolves and checks a working directory given by the caller; returns its real path. */
  const resolveCwd = async (cwd: unknown): Promise<string> => {
    if (typeof cwd !== 'string' || cwd === '' || cwd.includes('\0') || !path.isAbsolute(cwd)) {
      throw invalidArgument(`Invalid cwd ${JSON.stringify(String(cwd)).slice(0, 200)}: it must be an absolute path.`);
    }
    let real: string;
    try {
      real = await realpath(cwd);
    } catch (error) {
      throw directoryError(cwd, error);
    }
    const stats = await stat(real);
    if (!stats.isDirectory()) {
      throw new McpToolsError('MCP_TOOLS_NOT_A_DIRECTORY', `Cannot checkpoint ${cwd}: it is a file, not a directory.`);
    }
    if (path.dirname(real) === real) {
      throw invalidArgument(`Refusing to checkpoint the file-system root ${real}; use a project directory.`);
    }
    if (real === dataDir || real.startsWith(dataDir + path.sep)) {
      throw invalidArgument(`Refusing to checkpoint ${real}: it is inside the server's data folder ${dataDir}.`);
    }
    return real;
  };

  /** Checks that a stored checkpoint's directory is still there, and still the same real path. */
  const checkWorkTree = async (record: CheckpointRecord): Promise<void> => {
    let real: string;
    try {
      real = await realpath(record.cwd);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new McpToolsError(
          'MCP_TOOLS_DIRECTORY_NOT_FOUND',
          `The directory ${record.cwd} of checkpoint ${record.id} no longer exists; create it (empty is fine) and try again to restore all its files into it.`,
        );
      }
      throw directoryError(record.cwd, error);
    }
    if (real !== record.cwd || !(await stat(real)).isDirectory()) {
      throw new McpToolsError(
        'MCP_TOOLS_NOT_A_DIRECTORY',
        `The directory ${record.cwd} of checkpoint ${record.id} is no longer a directory at that real path (it resolves to ${real}); refusing to write there.`,
      );
    }
  };

  const repoOf = (stored: StoredCheckpoint): ShadowRepo => repos.repo(stored.repo, stored.record.cwd);

  /** The tree of a stored checkpoint's commit, checking that its objects are present. */
  const treeOf = async (repo: ShadowRepo, record: CheckpointRecord): Promise<string> => {
    const missing = (): McpToolsError =>
      new McpToolsError(
        'MCP_TOOLS_CHECKPOINT_NOT_FOUND',
        `The files of checkpoint ${record.id} are missing from the data folder (${repo.gitDir}); the checkpoint cannot be used. Delete it.`,
      );
    if (!(await repos.exists(repo))) throw missing();
    const result = await repos.git(repo, {
      args: ['rev-parse', '--verify', '--quiet', `${record.commit}^{tree}`],
      okCodes: [0, 1, 128],
    });
    const tree = result.stdout.toString('utf8').trim();
    if (result.code !== 0 || !OID_PATTERN.test(tree)) throw missing();
    return tree;
  };

  const manager: CheckpointManager = {
    async create(input) {
      if (typeof input !== 'object' || input === null) throw invalidArgument('create() needs an object with at least cwd.');
      const label = optionalLabel(input.label);
      const sessionId = optionalConversationId('sessionId', input.sessionId);
      const lastMessageId = optionalConversationId('lastMessageId', input.lastMessageId);
      const cwd = await resolveCwd(input.cwd);
      const repo = repos.repo(repoNameFor(cwd), cwd);
      return exclusive(repo.gitDir, async () => {
        const createdAt = now();
        if (!Number.isSafeInteger(createdAt) || createdAt < 0) {
          throw invalidOptions(`now() must return epoch milliseconds (got ${String(createdAt)})`);
        }
        await repos.ensure(repo);
        const snapshot = await repos.snapshot(repo, limits, (overage) =>
          tooLarge(`create a checkpoint of ${cwd}`, overage, limits, ' Nothing was stored.'),
        );
        const id = `ckpt_${randomBytes(10).toString('hex')}`;
        const date = `@${Math.floor(createdAt / 1000)} +0000`;
        const commit = (
          await repos.git(repo, {
            args: ['commit-tree', snapshot.tree, '-m', `checkpoint ${id}`],
            env: { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
          })
        ).stdout
          .toString('utf8')
          .trim();
        if (!OID_PATTERN.test(commit)) {
          throw new McpToolsError('MCP_TOOLS_GIT_FAILED', `git commit-tree printed no commit id for checkpoint ${id}.`);
        }
        await repos.git(repo, { args: ['update-ref', `refs/checkpoints/${id}`, commit, zeroOid(commit)] });
        try {
          return use('store a checkpoint', () =>
            store.transaction(() =>
              toStored(
                statements.insert.get({
                  id,
                  cwd,
                  repo: repo.name,
                  label,
                  sessionId,
                  lastMessageId,
                  commit,
                  fileCount: snapshot.fileCount,
                  bytes: snapshot.bytes,
                  createdAt,
                })!,
              ),
            ),
          ).record;
        } catch (error) {
          await repos.git(repo, { args: ['update-ref', '-d', `refs/checkpoints/${id}`] }).catch(() => undefined);
          throw error;
        }
      });
    },

    list(filter = {}) {
      if (typeof filter !== 'object' || filter === null) throw invalidArgument('list() takes an optional filter object.');
      let cwd: string | null = null;
      if (filter.cwd !== undefined) {
        if (typeof filter.cwd !== 'string' || !path.isAbsolute(filter.cwd) || filter.cwd.includes('\0')) {
          throw invalidArgument('The cwd filter must be an absolute path.');
        }
        try {
          cwd = realpathSync.native(filter.cwd);
        } catch {
          cwd = path.resolve(filter.cwd);
        }
      }
      const sessionId = filter.sessionId === undefined ? null : optionalConversationId('sessionId', filter.sessionId);
      let limit = -1;
      if (filter.limit !== undefined) {
        if (typeof filter.limit !== 'number' || !Number.isSafeInteger(filter.limit) || filter.limit < 1) {
          throw invalidArgument(`limit must be a whole number of at least 1 (got ${String(filter.limit)}).`);
        }
        limit = filter.limit;
      }
      return use('list checkpoints', () =>
        statements.list.all({ cwd, sessionId, limit }).map((row) => toStored(row).record),
      );
    },

    get(id) {
      return find(checkId(id))?.record;
    },

    async restore(id) {
      const stored = mustFind(id);
      const record = stored.record;
      const repo = repoOf(stored);
      return exclusive(repo.gitDir, async () => {
        if (isBusy?.(record.cwd) === true) {
          throw new McpToolsError(
            'MCP_TOOLS_SESSION_BUSY',
            `A Claude run is active in ${record.cwd}; wait for it to finish (or abort it) before restoring checkpoint ${record.id}.`,
          );
        }
        await checkWorkTree(record);
        const target = await treeOf(repo, record);
        // Capture the present first: the index then lists exactly the current, non-ignored
        // files, so the one-way read-tree below deletes the new ones and leaves ignored ones.
        const present = await repos.snapshot(repo, limits, (overage) =>
          tooLarge(
            `restore checkpoint ${record.id} into ${record.cwd}`,
            overage,
            limits,
            ' A restore first captures the current files; nothing was changed.',
          ),
        );
        const restored: string[] = [];
        const removed: string[] = [];
        const recreated: string[] = [];
        const onDisk = fileProbe(record.cwd);
        for (const change of await diffNames(repos, repo, present.tree, target)) {
          const name = text(change.path);
          if (change.status === 'D') removed.push(name);
          else if (change.status !== 'A') restored.push(name);
          else if (onDisk(change.path)) restored.push(name); // an ignored file stood there
          else recreated.push(name);
        }
        if (restored.length + removed.length + recreated.length > 0) {
          await repos.git(repo, { workTree: record.cwd, args: ['read-tree', '--reset', '-u', target] });
        }
        const sort = (names: string[]): readonly string[] => Object.freeze(names.sort());
        return Object.freeze({
          checkpoint: record,
          changed: Object.freeze({ restored: sort(restored), removed: sort(removed), recreated: sort(recreated) }),
        });
      });
    },

    async compare(fromId, toId, compareOptions = {}) {
      const from = mustFind(fromId, 'checkpoint id to compare from');
      const to = toId === 'present' ? 'present' : mustFind(toId, 'checkpoint id to compare to');
      if (typeof compareOptions !== 'object' || compareOptions === null) {
        throw invalidArgument('compare() options must be an object.');
      }
      const maxDiffBytes = compareOptions.maxDiffBytes ?? DEFAULT_MAX_DIFF_BYTES;
      if (
        typeof maxDiffBytes !== 'number' ||
        !(maxDiffBytes === Number.POSITIVE_INFINITY || (Number.isSafeInteger(maxDiffBytes) && maxDiffBytes >= 0))
      ) {
        throw invalidArgument(`maxDiffBytes must be a whole number of at least 0, or Infinity (got ${String(maxDiffBytes)}).`);
      }
      if (to !== 'present' && to.repo !== from.repo) {
        throw invalidArgument(
          `Checkpoints ${from.record.id} (${from.record.cwd}) and ${to.record.id} (${to.record.cwd}) are of different directories; compare checkpoints of one directory, or a checkpoint with "present".`,
        );
      }
      const repo = repoOf(from);
      return exclusive(repo.gitDir, async () => {
        const fromTree = await treeOf(repo, from.record);
        let toTree: string;
        if (to === 'present') {
          await checkWorkTree(from.record);
          toTree = (
            await repos.snapshot(repo, limits, (overage) =>
              tooLarge(`compare checkpoint ${from.record.id} with the present files of ${from.record.cwd}`, overage, limits, ''),
            )
          ).tree;
        } else {
          toTree = await treeOf(repo, to.record);
        }
        const [files, patch] = await Promise.all([
          changedFiles(repos, repo, fromTree, toTree),
          repos.git(repo, {
            args: [
              'diff-tree', '-r', '-p', '-M', '--no-color', '--no-ext-diff', '--no-textconv',
              '--src-prefix=a/', '--dst-prefix=b/', fromTree, toTree,
            ],
            ...(maxDiffBytes === Number.POSITIVE_INFINITY ? {} : { stdoutLimit: maxDiffBytes }),
          }),
        ]);
        const truncated = patch.stdoutBytes > patch.stdout.length;
        return Object.freeze({
          from: from.record,
          to: to === 'present' ? 'present' : to.record,
          files,
          insertions: files.reduce((sum, file) => sum + file.insertions, 0),
          deletions: files.reduce((sum, file) => sum + file.deletions, 0),
          diff: truncated ? cutAtLineEnd(patch.stdout) : patch.stdout.toString('utf8'),
          truncated,
          fullDiffBytes: patch.stdoutBytes,
        });
      });
    },

    async delete(id) {
      const stored = mustFind(id);
      const repo = repoOf(stored);
      await exclusive(repo.gitDir, async () => {
        const { changes } = use('delete a checkpoint', () => store.transaction(() => statements.remove.run(stored.record.id)));
        if (Number(changes) === 0) {
          throw new McpToolsError('MCP_TOOLS_CHECKPOINT_NOT_FOUND', `Checkpoint ${stored.record.id} was already deleted.`);
        }
        if (!(await repos.exists(repo))) return;
        const remaining = use('count checkpoints', () => Number(statements.countInRepo.get(stored.repo)?.count ?? 0));
        if (remaining === 0) {
          await repos.remove(repo);
          return;
        }
        await repos.git(repo, { args: ['update-ref', '-d', `refs/checkpoints/${stored.record.id}`], okCodes: [0, 1] });
        // Best effort: the row is gone, which is what counts; objects also go on a later delete.
        await repos.tidy(repo, PRUNE_EXPIRY).catch(() => undefined);
      });
    },
  };
  return Object.freeze(manager);
}

/**
 * A test for "a file or symbolic link exists at this work-tree path", following no symbolic link
 * on the way (a link standing where a folder was does not count: restore replaces it).
 */
function fileProbe(root: string): (relative: Buffer) => boolean {
  const prefix = Buffer.from(root + path.sep);
  const folders = new Map<string, boolean>();
  const kind = (relative: Buffer): 'folder' | 'file' | undefined => {
    try {
      const stats = lstatSync(Buffer.concat([prefix, relative]), { throwIfNoEntry: false });
      return stats === undefined ? undefined : stats.isDirectory() ? 'folder' : 'file';
    } catch {
      return undefined;
    }
  };
  return (relative) => {
    for (let slash = relative.indexOf(0x2f); slash !== -1; slash = relative.indexOf(0x2f, slash + 1)) {
      const folder = relative.subarray(0, slash);
      const key = folder.toString('latin1');
      let isFolder = folders.get(key);
      if (isFolder === undefined) {
        isFolder = kind(folder) === 'folder';
        folders.set(key, isFolder);
      }
      if (!isFolder) return false;
    }
    return kind(relative) === 'file';
  };
}

function directoryError(cwd: string, error: unknown): McpToolsError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new McpToolsError('MCP_TOOLS_DIRECTORY_NOT_FOUND', `The directory ${cwd} does not exist.`, { cause: error });
  }
  if (code === 'ENOTDIR') {
    return new McpToolsError('MCP_TOOLS_NOT_A_DIRECTORY', `${cwd} is not a directory.`, { cause: error });
  }
  return new McpToolsError(
    'MCP_TOOLS_DIRECTORY_NOT_ACCESSIBLE',
    `The directory ${cwd} cannot be used: ${(error as Error).message}.`,
    { cause: error },
  );
}

interface NameStatus {
  status: string;
  path: Buffer;
}

/** `diff-tree -r --name-status --no-renames` between two trees: status letter and path. */
async function diffNames(repos: ShadowRepos, repo: ShadowRepo, from: string, to: string): Promise<NameStatus[]> {
  const records = splitNul(
    (await repos.git(repo, { args: ['diff-tree', '-r', '-z', '--no-renames', '--name-status', from, to] })).stdout,
  );
  const changes: NameStatus[] = [];
  for (let index = 0; index + 1 < records.length; index += 2) {
    changes.push({ status: text(records[index]!).charAt(0), path: records[index + 1]! });
  }
  return changes;
}

const STATUS_NAMES: Readonly<Record<string, ChangedFile['status']>> = Object.freeze({
  A: 'added',
  C: 'added',
  D: 'deleted',
  M: 'modified',
  T: 'modified',
  R: 'renamed',
});

/** Changed files between two trees, with rename detection and line counts. */
async function changedFiles(repos: ShadowRepos, repo: ShadowRepo, from: string, to: string): Promise<readonly ChangedFile[]> {
  const [names, counts] = await Promise.all([
    repos.git(repo, { args: ['diff-tree', '-r', '-z', '-M', '--name-status', from, to] }),
    repos.git(repo, { args: ['diff-tree', '-r', '-z', '-M', '--numstat', from, to] }),
  ]);
  // --numstat -z: "added\tdeleted\tpath\0", or for a rename "added\tdeleted\t\0old\0new\0";
  // "-\t-" for a binary file.
  const lineCounts = new Map<string, { insertions: number; deletions: number; binary: boolean }>();
  const numstat = splitNul(counts.stdout);
  for (let index = 0; index < numstat.length; index += 1) {
    const fields = text(numstat[index]!).split('\t');
    let name = fields[2] ?? '';
    if (name === '') {
      index += 2;
      name = text(numstat[index] ?? Buffer.alloc(0));
    }
    const binary = fields[0] === '-';
    lineCounts.set(name, {
      insertions: binary ? 0 : Number(fields[0]),
      deletions: binary ? 0 : Number(fields[1]),
      binary,
    });
  }
  const files: ChangedFile[] = [];
  const records = splitNul(names.stdout);
  for (let index = 0; index < records.length; ) {
    const letter = text(records[index]!).charAt(0);
    const twoPaths = letter === 'R' || letter === 'C';
    const oldPath = twoPaths ? text(records[index + 1] ?? Buffer.alloc(0)) : null;
    const name = text(records[index + (twoPaths ? 2 : 1)] ?? Buffer.alloc(0));
    index += twoPaths ? 3 : 2;
    const status = STATUS_NAMES[letter] ?? 'modified';
    const count = lineCounts.get(name) ?? { insertions: 0, deletions: 0, binary: false };
    files.push(Object.freeze({ path: name, oldPath: status === 'renamed' ? oldPath : null, status, ...count }));
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return Object.freeze(files);
}

/** The kept part of a cut diff, ending at its last complete line (or at a whole character). */
function cutAtLineEnd(kept: Buffer): string {
  const end = kept.lastIndexOf(0x0a);
  if (end !== -1) return kept.subarray(0, end + 1).toString('utf8');
  let cut = kept.length;
  // Do not split a UTF-8 sequence: step back over continuation bytes and their lead byte.
  while (cut > 0 && (kept[cut - 1]! & 0xc0) === 0x80) cut -= 1;
  if (cut > 0 && kept[cut - 1]! >= 0xc0) cut -= 1;
  return kept.subarray(0, cut).toString('utf8');
}
