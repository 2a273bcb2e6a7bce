import { mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';

import type { CheckpointRecord, ClaudeToolsStore } from '../store/index.js';
import { invalidOptions, positiveInteger } from './checkpoint-input.js';
import type { CheckpointSettings } from './checkpoints.js';

export { CHECKPOINT_ID_PATTERN, DEFAULT_MAX_DIFF_BYTES } from './checkpoint-input.js';
export type { CheckpointRecord } from '../store/index.js';

/**
 * Default {@link CheckpointManagerOptions.maxFiles}.
 *
 * @example
 * ```ts
 * const checkpoints = createCheckpointManager({ store, dataDir, maxFiles: DEFAULT_CHECKPOINT_MAX_FILES * 2 });
 * ```
 */
export const DEFAULT_CHECKPOINT_MAX_FILES = 50_000;
/**
 * Default {@link CheckpointManagerOptions.maxBytes}: 256 MiB.
 *
 * @example
 * ```ts
 * const checkpoints = createCheckpointManager({ store, dataDir, maxBytes: DEFAULT_CHECKPOINT_MAX_BYTES / 4 });
 * ```
 */
export const DEFAULT_CHECKPOINT_MAX_BYTES = 256 * 1024 * 1024;

const DEFAULT_GIT_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * Options for {@link createCheckpointManager}.
 *
 * @example
 * ```ts
 * const options: CheckpointManagerOptions = { store, dataDir, maxFiles: 20_000, isBusy: (cwd) => runtime.isBusy(cwd) };
 * ```
 */
export interface CheckpointManagerOptions {
  /** The state store; checkpoints are indexed in its `checkpoints` store. */
  store: ClaudeToolsStore;
  /** Absolute data folder (created when missing); shadow repositories go to `<dataDir>/checkpoints/`. */
  dataDir: string;
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
 * What {@link CheckpointManager.create} takes.
 *
 * @example
 * ```ts
 * const input: CreateCheckpointInput = { cwd: '/repo', label: 'before the refactor', sessionId, lastMessageId };
 * ```
 */
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

/**
 * Filter for {@link CheckpointManager.list}.
 *
 * @example
 * ```ts
 * const filter: ListCheckpointsFilter = { cwd: '/repo', limit: 10 };
 * ```
 */
export interface ListCheckpointsFilter {
  /** Only checkpoints of this directory (symbolic links resolved when it exists). */
  cwd?: string;
  /** Only checkpoints taken in this session. */
  sessionId?: string;
  /** At most this many (newest first). */
  limit?: number;
}

/**
 * What {@link CheckpointManager.restore} changed, as work-tree-relative paths with `/`, sorted.
 *
 * @example
 * ```ts
 * const { changed }: { changed: RestoreChanges } = await checkpoints.restore(id);
 * logger.info({ restored: changed.restored, removed: changed.removed, recreated: changed.recreated }, 'checkpoint restored');
 * ```
 */
export interface RestoreChanges {
  /** Existed with other content, mode or type; now as in the checkpoint. */
  readonly restored: readonly string[];
  /** Not in the checkpoint (and not ignored); deleted, with folders left empty by that. */
  readonly removed: readonly string[];
  /** In the checkpoint but missing; written back. */
  readonly recreated: readonly string[];
}

/**
 * Result of {@link CheckpointManager.restore}.
 *
 * @example
 * ```ts
 * const result: RestoreResult = await checkpoints.restore(id);
 * ```
 */
export interface RestoreResult {
  readonly checkpoint: CheckpointRecord;
  readonly changed: RestoreChanges;
}

/**
 * Options of {@link CheckpointManager.compare}.
 *
 * @example
 * ```ts
 * const options: CompareCheckpointsOptions = { maxDiffBytes: 16 * 1024 };
 * ```
 */
export interface CompareCheckpointsOptions {
  /** Cap of the returned unified diff in bytes (cut at a line end); `Infinity` for all of it. Default 64 KiB. */
  maxDiffBytes?: number;
}

/**
 * One changed file of a comparison.
 *
 * @example
 * ```ts
 * const line = (file: ChangedFile): string => `${file.status} ${file.path} +${file.insertions} -${file.deletions}`;
 * ```
 */
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

/**
 * Result of {@link CheckpointManager.compare}: what changed from `from` to `to`.
 *
 * @example
 * ```ts
 * const result: CompareResult = await checkpoints.compare(id, 'present');
 * if (result.truncated) logger.warn({ shown: result.diff.length, bytes: result.fullDiffBytes }, 'diff cut');
 * ```
 */
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
 *
 * @example
 * ```ts
 * const checkpoints: CheckpointManager = createCheckpointManager({ store, dataDir });
 * const recent = await checkpoints.list({ cwd: '/repo', limit: 5 });
 * ```
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
  list(filter?: ListCheckpointsFilter): Promise<CheckpointRecord[]>;
  /** The checkpoint with this id, or `undefined`. Rejects with `MCP_TOOLS_INVALID_ARGUMENTS` for a malformed id. */
  get(id: string): Promise<CheckpointRecord | undefined>;
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

/**
 * Creates the checkpoint engine: each checkpoint captures a working directory's files in a
 * shadow git repository under `<dataDir>/checkpoints/` (one per directory, objects shared by all
 * its checkpoints, so an unchanged file costs nothing), with the Claude session id and last
 * message uuid of that moment, indexed in the store's checkpoint index; all of it
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
 * const checkpoints = createCheckpointManager({ store, dataDir, isBusy: (cwd) => runtime.isBusy(cwd) });
 * const before = await checkpoints.create({ cwd, label: 'before refactor', sessionId, lastMessageId });
 * // … Claude edits files …
 * const { files, diff } = await checkpoints.compare(before.id, 'present');
 * const { changed } = await checkpoints.restore(before.id);
 * ```
 */
export function createCheckpointManager(options: CheckpointManagerOptions): CheckpointManager {
  return Object.freeze(new LazyCheckpoints(checkpointSettings(options)));
}

/**
 * The engine (git runner, shadow repositories, tree diffs) loads on the first call, not at start:
 * a server answers `tools/list` without it.
 */
class LazyCheckpoints implements CheckpointManager {
  readonly #settings: CheckpointSettings;
  #engine: Promise<CheckpointManager> | undefined;

  constructor(settings: CheckpointSettings) {
    this.#settings = settings;
  }

  async create(input: CreateCheckpointInput): Promise<CheckpointRecord> {
    return (await this.#load()).create(input);
  }

  async list(filter?: ListCheckpointsFilter): Promise<CheckpointRecord[]> {
    return (await this.#load()).list(filter);
  }

  async get(id: string): Promise<CheckpointRecord | undefined> {
    return (await this.#load()).get(id);
  }

  async restore(id: string): Promise<RestoreResult> {
    return (await this.#load()).restore(id);
  }

  async compare(fromId: string, toId: string, options?: CompareCheckpointsOptions): Promise<CompareResult> {
    return (await this.#load()).compare(fromId, toId, options);
  }

  async delete(id: string): Promise<void> {
    return (await this.#load()).delete(id);
  }

  #load(): Promise<CheckpointManager> {
    // A failed load (an unreadable chunk) is not kept: the next call tries again.
    this.#engine ??= import('./checkpoints.js').then(
      ({ Checkpoints }) => new Checkpoints(this.#settings),
      (error: unknown) => {
        this.#engine = undefined;
        throw error;
      },
    );
    return this.#engine;
  }
}

function checkpointSettings(options: CheckpointManagerOptions): CheckpointSettings {
  if (typeof options !== 'object' || options === null) throw invalidOptions('options must be an object');
  const { store, isBusy, now = Date.now, git = 'git' } = options;
  if (typeof store !== 'object' || store === null || typeof store.checkpoints?.insert !== 'function') {
    throw invalidOptions('store must be a ClaudeToolsStore (openStore() or createMemoryStore())');
  }
  const { dataDir } = options;
  if (typeof dataDir !== 'string' || !path.isAbsolute(dataDir) || dataDir.includes('\0')) {
    throw invalidOptions('dataDir must be an absolute path');
  }
  if (typeof git !== 'string' || git === '' || git.includes('\0') || (/[/\\]/.test(git) && !path.isAbsolute(git))) {
    throw invalidOptions('git must be a command name or an absolute path');
  }
  if (typeof now !== 'function') throw invalidOptions('now must be a function');
  if (isBusy !== undefined && typeof isBusy !== 'function') throw invalidOptions('isBusy must be a function');
  return Object.freeze({
    index: store.checkpoints,
    dataDir: realDirectory(dataDir),
    limits: Object.freeze({
      maxFiles: positiveInteger('maxFiles', options.maxFiles, DEFAULT_CHECKPOINT_MAX_FILES),
      maxBytes: positiveInteger('maxBytes', options.maxBytes, DEFAULT_CHECKPOINT_MAX_BYTES),
    }),
    gitTimeoutMs: positiveInteger('gitTimeoutMs', options.gitTimeoutMs, DEFAULT_GIT_TIMEOUT_MS),
    git,
    now,
    isBusy: isBusy ?? (() => false),
  });
}

/** The data folder's real path, created (0700) when missing, as `openStore` does. */
function realDirectory(directory: string): string {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    return realpathSync.native(directory);
  } catch (error) {
    throw invalidOptions(`dataDir ${directory} cannot be created or read: ${(error as Error).message}`);
  }
}
