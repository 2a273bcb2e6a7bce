// The checkpoint engine behind `createCheckpointManager`: shadow repositories for the files, the
// store's checkpoint index for the records.
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

import { McpToolsError } from '../errors.js';
import type { CheckpointIndex, CheckpointRecord, IndexedCheckpoint } from '../store/index.js';
import { checkId, DEFAULT_MAX_DIFF_BYTES, directoryError, invalidArgument, invalidOptions, optionalConversationId, optionalLabel, tooLarge } from './checkpoint-input.js';
import type {
  CheckpointManager,
  CompareCheckpointsOptions,
  CompareResult,
  CreateCheckpointInput,
  ListCheckpointsFilter,
  RestoreResult,
} from './checkpoint-manager.js';
import { createGitRunner } from './git.js';
import { REPO_NAME_PATTERN, repoNameFor, ShadowRepos, type ShadowRepo, type SnapshotLimits } from './shadow-repo.js';
import { changedFiles, cutAtLineEnd, diffNames, fileProbe, text, zeroOid } from './tree-diff.js';

/** Deleted checkpoints' objects are pruned once this old, so a capture in flight in another process keeps its new objects. */
const PRUNE_EXPIRY = '15.minutes.ago';
const OID_PATTERN = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** The checked options of the engine. */
export interface CheckpointSettings {
  readonly index: CheckpointIndex;
  /** Real path of the data folder. */
  readonly dataDir: string;
  readonly limits: SnapshotLimits;
  readonly gitTimeoutMs: number;
  readonly git: string;
  readonly now: () => number;
  readonly isBusy: (cwd: string) => boolean;
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

export class Checkpoints implements CheckpointManager {
  readonly #settings: CheckpointSettings;
  readonly #index: CheckpointIndex;
  readonly #repos: ShadowRepos;

  constructor(settings: CheckpointSettings) {
    this.#settings = settings;
    this.#index = settings.index;
    this.#repos = new ShadowRepos(createGitRunner(settings.git, settings.gitTimeoutMs), settings.dataDir, settings.gitTimeoutMs);
  }

  async #mustFind(id: unknown, what = 'checkpoint id'): Promise<IndexedCheckpoint> {
    const stored = await this.#index.get(checkId(id, what));
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
  }

  /** Resolves and checks a working directory given by the caller; returns its real path. */
  async #resolveCwd(cwd: unknown): Promise<string> {
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
    if (real === this.#settings.dataDir || real.startsWith(this.#settings.dataDir + path.sep)) {
      throw invalidArgument(`Refusing to checkpoint ${real}: it is inside the server's data folder ${this.#settings.dataDir}.`);
    }
    return real;
  }

  /** Checks that a stored checkpoint's directory is still there, and still the same real path. */
  async #checkWorkTree(record: CheckpointRecord): Promise<void> {
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
  }

  #repoOf(stored: IndexedCheckpoint): ShadowRepo {
    return this.#repos.repo(stored.repo, stored.record.cwd);
  }

  /** The tree of a stored checkpoint's commit, checking that its objects are present. */
  async #treeOf(repo: ShadowRepo, record: CheckpointRecord): Promise<string> {
    const missing = (): McpToolsError =>
      new McpToolsError(
        'MCP_TOOLS_CHECKPOINT_NOT_FOUND',
        `The files of checkpoint ${record.id} are missing from the data folder (${repo.gitDir}); the checkpoint cannot be used. Delete it.`,
      );
    if (!(await this.#repos.exists(repo))) throw missing();
    const result = await this.#repos.git(repo, {
      args: ['rev-parse', '--verify', '--quiet', `${record.commit}^{tree}`],
      okCodes: [0, 1, 128],
    });
    const tree = result.stdout.toString('utf8').trim();
    if (result.code !== 0 || !OID_PATTERN.test(tree)) throw missing();
    return tree;
  }

  async create(input: CreateCheckpointInput): Promise<CheckpointRecord> {
    if (typeof input !== 'object' || input === null) throw invalidArgument('create() needs an object with at least cwd.');
    const label = optionalLabel(input.label);
    const sessionId = optionalConversationId('sessionId', input.sessionId);
    const lastMessageId = optionalConversationId('lastMessageId', input.lastMessageId);
    const cwd = await this.#resolveCwd(input.cwd);
    const repo = this.#repos.repo(repoNameFor(cwd), cwd);
    return exclusive(repo.gitDir, async () => {
      const createdAt = this.#settings.now();
      if (!Number.isSafeInteger(createdAt) || createdAt < 0) {
        throw invalidOptions(`now() must return epoch milliseconds (got ${String(createdAt)})`);
      }
      await this.#repos.ensure(repo);
      const snapshot = await this.#repos.snapshot(repo, this.#settings.limits, (overage) =>
        tooLarge(`create a checkpoint of ${cwd}`, overage, this.#settings.limits, ' Nothing was stored.'),
      );
      const id = `ckpt_${randomBytes(10).toString('hex')}`;
      const date = `@${Math.floor(createdAt / 1000)} +0000`;
      const commit = (
        await this.#repos.git(repo, {
          args: ['commit-tree', snapshot.tree, '-m', `checkpoint ${id}`],
          env: { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
        })
      ).stdout
        .toString('utf8')
        .trim();
      if (!OID_PATTERN.test(commit)) {
        throw new McpToolsError('MCP_TOOLS_GIT_FAILED', `git commit-tree printed no commit id for checkpoint ${id}.`);
      }
      await this.#repos.git(repo, { args: ['update-ref', `refs/checkpoints/${id}`, commit, zeroOid(commit)] });
      try {
        const record = { id, label, cwd, sessionId, lastMessageId, commit, fileCount: snapshot.fileCount, bytes: snapshot.bytes, createdAt };
        return (await this.#index.insert({ record, repo: repo.name })).record;
      } catch (error) {
        await this.#repos.git(repo, { args: ['update-ref', '-d', `refs/checkpoints/${id}`] }).catch(() => undefined);
        throw error;
      }
    });
  }

  async list(filter: ListCheckpointsFilter = {}): Promise<CheckpointRecord[]> {
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
    let limit: number | undefined;
    if (filter.limit !== undefined) {
      if (typeof filter.limit !== 'number' || !Number.isSafeInteger(filter.limit) || filter.limit < 1) {
        throw invalidArgument(`limit must be a whole number of at least 1 (got ${String(filter.limit)}).`);
      }
      limit = filter.limit;
    }
    return this.#index.list({ cwd, sessionId, limit });
  }

  async get(id: string): Promise<CheckpointRecord | undefined> {
    return (await this.#index.get(checkId(id)))?.record;
  }

  async restore(id: string): Promise<RestoreResult> {
    const stored = await this.#mustFind(id);
    const record = stored.record;
    const repo = this.#repoOf(stored);
    return exclusive(repo.gitDir, async () => {
      if (this.#settings.isBusy(record.cwd)) {
        throw new McpToolsError(
          'MCP_TOOLS_SESSION_BUSY',
          `A Claude run is active in ${record.cwd}; wait for it to finish (or abort it) before restoring checkpoint ${record.id}.`,
        );
      }
      await this.#checkWorkTree(record);
      const target = await this.#treeOf(repo, record);
      // Capture the present first: the index then lists exactly the current, non-ignored
      // files, so the one-way read-tree below deletes the new ones and leaves ignored ones.
      const present = await this.#repos.snapshot(repo, this.#settings.limits, (overage) =>
        tooLarge(
          `restore checkpoint ${record.id} into ${record.cwd}`,
          overage,
          this.#settings.limits,
          ' A restore first captures the current files; nothing was changed.',
        ),
      );
      const restored: string[] = [];
      const removed: string[] = [];
      const recreated: string[] = [];
      const onDisk = fileProbe(record.cwd);
      for (const change of await diffNames(this.#repos, repo, present.tree, target)) {
        const name = text(change.path);
        if (change.status === 'D') removed.push(name);
        else if (change.status !== 'A') restored.push(name);
        else if (onDisk(change.path)) restored.push(name); // an ignored file stood there
        else recreated.push(name);
      }
      if (restored.length + removed.length + recreated.length > 0) {
        await this.#repos.git(repo, { workTree: record.cwd, args: ['read-tree', '--reset', '-u', target] });
      }
      const sort = (names: string[]): readonly string[] => Object.freeze(names.sort());
      return Object.freeze({
        checkpoint: record,
        changed: Object.freeze({ restored: sort(restored), removed: sort(removed), recreated: sort(recreated) }),
      });
    });
  }

  async compare(fromId: string, toId: string, compareOptions: CompareCheckpointsOptions = {}): Promise<CompareResult> {
    const from = await this.#mustFind(fromId, 'checkpoint id to compare from');
    const to = toId === 'present' ? 'present' : await this.#mustFind(toId, 'checkpoint id to compare to');
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
    const repo = this.#repoOf(from);
    return exclusive(repo.gitDir, async () => {
      const fromTree = await this.#treeOf(repo, from.record);
      let toTree: string;
      if (to === 'present') {
        await this.#checkWorkTree(from.record);
        toTree = (
          await this.#repos.snapshot(repo, this.#settings.limits, (overage) =>
            tooLarge(`compare checkpoint ${from.record.id} with the present files of ${from.record.cwd}`, overage, this.#settings.limits, ''),
          )
        ).tree;
      } else {
        toTree = await this.#treeOf(repo, to.record);
      }
      const [files, patch] = await Promise.all([
        changedFiles(this.#repos, repo, fromTree, toTree),
        this.#repos.git(repo, {
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
  }

  async delete(id: string): Promise<void> {
    const stored = await this.#mustFind(id);
    const repo = this.#repoOf(stored);
    await exclusive(repo.gitDir, async () => {
      if (!(await this.#index.remove(stored.record.id))) {
        throw new McpToolsError('MCP_TOOLS_CHECKPOINT_NOT_FOUND', `Checkpoint ${stored.record.id} was already deleted.`);
      }
      if (!(await this.#repos.exists(repo))) return;
      if ((await this.#index.countInRepo(stored.repo)) === 0) {
        await this.#repos.remove(repo);
        return;
      }
      await this.#repos.git(repo, { args: ['update-ref', '-d', `refs/checkpoints/${stored.record.id}`], okCodes: [0, 1] });
      // Best effort: the row is gone, which is what counts; objects also go on a later delete.
      await this.#repos.tidy(repo, PRUNE_EXPIRY).catch(() => undefined);
    });
  }
}
