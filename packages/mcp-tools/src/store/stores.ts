// The storage seam: one narrow interface per concern. `openStore` (SQLite) and
// `createMemoryStore` implement it; a PostgreSQL backend would too, so nothing here names SQLite.
// Every method is asynchronous for that reason, and each one that writes several records writes
// them atomically. Failures reject with `McpToolsError` `MCP_TOOLS_STORE_FAILED` unless stated.
import type { CheckpointRecord } from './checkpoint-record.js';
import type { NewSessionRecord, SessionRecord, SessionStatus } from './session-record.js';
import type { NewTaskRecord, TaskFinish, TaskOwner, TaskProcess, TaskRecord, TaskStatus } from './task-record.js';

/**
 * Filter for {@link SessionStore.list}.
 *
 * @example
 * ```ts
 * const filter: ListSessionsFilter = { status: 'idle', limit: 20 };
 * ```
 */
export interface ListSessionsFilter {
  /** Only sessions with this status. */
  status?: SessionStatus;
  /** At most this many sessions (a whole number of at least 1). */
  limit?: number;
}

/**
 * A completed turn, for {@link SessionStore.recordTurn}.
 *
 * @example
 * ```ts
 * const turn: CompletedTurn = { costUsd: result.totalCostUsd, at: Date.now(), model: 'claude-opus-4-5' };
 * ```
 */
export interface CompletedTurn {
  /** Cost of this turn in US dollars, added to the session's total. */
  costUsd: number;
  /** When the turn ended, epoch ms; becomes the session's `lastUsedAt`. */
  at: number;
  /** Model of the turn; omitted or `null` keeps the stored model. */
  model?: string | null;
}

/**
 * What a write stores when the session has no record yet (a session Claude Code started, or one
 * created outside this server): its folder and model, and the time for `createdAt`/`lastUsedAt`.
 *
 * @example
 * ```ts
 * await store.sessions.setStatus(id, 'running', undefined, { cwd: '/repo', model: null, at: Date.now() });
 * ```
 */
export interface SessionSeed {
  readonly cwd: string;
  readonly model: string | null;
  readonly at: number;
}

/**
 * The Claude Code sessions this server ran.
 *
 * @example
 * ```ts
 * const recent = await store.sessions.list({ limit: 10 });
 * ```
 */
export interface SessionStore {
  /**
   * Stores a new session (`turns` and `costUsd` default to `0`, `lastError` to `null`) and returns
   * it. Rejects with `MCP_TOOLS_STORE_FAILED` when a session with that id is already stored.
   */
  insert(record: NewSessionRecord): Promise<SessionRecord>;
  /** The session with this id, or `undefined`. */
  get(id: string): Promise<SessionRecord | undefined>;
  /** Sessions, most recently used first (ties: most recently inserted first). */
  list(filter?: ListSessionsFilter): Promise<SessionRecord[]>;
  /**
   * Sets a session's status; `lastError` replaces the stored error when given (`null` clears it)
   * and is kept when omitted. For an unknown id it stores the session from `seed` (and resolves
   * `'created'`), or without a seed rejects with `MCP_TOOLS_SESSION_NOT_FOUND`.
   */
  setStatus(id: string, status: SessionStatus, lastError?: string | null, seed?: SessionSeed): Promise<'updated' | 'created'>;
  /** Removes a session that never existed in Claude Code; resolves whether a record was removed. */
  delete(id: string): Promise<boolean>;
  /**
   * Records a completed turn: `turns + 1`, `costUsd + turn.costUsd`, `lastUsedAt = turn.at`,
   * status `idle`, and the model when given; `lastError` is kept. An unknown id is stored from
   * `seed` first, or without one rejects with `MCP_TOOLS_SESSION_NOT_FOUND`.
   */
  recordTurn(id: string, turn: CompletedTurn, seed?: Omit<SessionSeed, 'at'>): Promise<SessionRecord>;
  /**
   * For start-up: every session left `running` (by a crash or a kill) becomes `interrupted`, with
   * a `lastError` saying so; resolves how many there were.
   */
  markRunningAsInterrupted(): Promise<number>;
}

/**
 * A session planned as a fork (a restored checkpoint): its first run resumes `parentId` at
 * `messageId` under the new `sessionId`.
 *
 * @example
 * ```ts
 * const fork: PlannedFork = { sessionId: randomUUID(), parentId, messageId, createdAt: Date.now() };
 * ```
 */
export interface PlannedFork {
  readonly sessionId: string;
  readonly parentId: string;
  /** The message to resume at (`--resume-session-at`), or `null` for the whole history. */
  readonly messageId: string | null;
  readonly createdAt: number;
}

/**
 * Forks waiting for their first run.
 *
 * @example
 * ```ts
 * const fork = await store.forks.get(sessionId);
 * ```
 */
export interface ForkStore {
  /** Stores the fork and, with it, its session in `cwd` (status `idle`, `parentId` set). */
  plan(fork: PlannedFork, cwd: string): Promise<void>;
  /** The planned fork of this session, or `undefined` once it has run (or was never planned). */
  get(sessionId: string): Promise<PlannedFork | undefined>;
  /** Forgets the plan: the fork has run and resumes like any session from now on. */
  consume(sessionId: string): Promise<void>;
}

/**
 * Filter for {@link TaskStore.list}.
 *
 * @example
 * ```ts
 * const page: ListTasksFilter = { status: 'running', limit: 50, offset: 0 };
 * ```
 */
export interface ListTasksFilter {
  readonly status?: TaskStatus | undefined;
  readonly limit: number;
  readonly offset: number;
}

/**
 * Background tasks, with the request each was started with (to restart it).
 *
 * @example
 * ```ts
 * const running = await store.tasks.list({ status: 'running', limit: 50, offset: 0 });
 * ```
 */
export interface TaskStore {
  /** Stores a new task, status `queued`, and returns it. */
  insert(task: NewTaskRecord): Promise<TaskRecord>;
  get(id: string): Promise<TaskRecord | undefined>;
  /** Tasks, newest first (ties by id). */
  list(filter: ListTasksFilter): Promise<TaskRecord[]>;
  /** Tasks still `queued` or `running`, of every server sharing the store. */
  listUnfinished(): Promise<TaskRecord[]>;
  /** The request the task was started with, as stored, or `undefined` for an unknown task. */
  requestOf(id: string): Promise<unknown>;
  /** The task's process started: status `running`, `startedAt` and the process (only while it is `queued`). */
  markStarted(id: string, at: number, process: TaskProcess | null): Promise<void>;
  /**
   * Hands an unfinished task from `from` (a server that is gone) to `to`, unless it has changed
   * hands or ended meanwhile: `true` for the one caller that got it.
   */
  claim(id: string, from: TaskOwner, to: TaskOwner): Promise<boolean>;
  /** Sets the task's session id unless it has one. */
  noteSession(id: string, sessionId: string): Promise<void>;
  /** Ends the task: status, `finishedAt`, the fields given (others kept), `pid` cleared. */
  finish(id: string, finish: TaskFinish): Promise<void>;
}

/**
 * A checkpoint as indexed: the record and the shadow repository holding its files.
 *
 * @example
 * ```ts
 * const indexed: IndexedCheckpoint = { record, repo: repoNameFor(record.cwd) };
 * ```
 */
export interface IndexedCheckpoint {
  readonly record: CheckpointRecord;
  readonly repo: string;
}

/**
 * Filter for {@link CheckpointIndex.list}; `null` matches all.
 *
 * @example
 * ```ts
 * const filter: CheckpointIndexFilter = { cwd: '/repo', sessionId: null, limit: 20 };
 * ```
 */
export interface CheckpointIndexFilter {
  readonly cwd: string | null;
  readonly sessionId: string | null;
  /** At most this many; `undefined` for all. */
  readonly limit?: number | undefined;
}

/**
 * The index of checkpoints (their files live in shadow repositories, not here).
 *
 * @example
 * ```ts
 * const latest = (await store.checkpoints.list({ cwd: '/repo', sessionId: null, limit: 1 }))[0];
 * ```
 */
export interface CheckpointIndex {
  /** Rejects with `MCP_TOOLS_STORE_FAILED` when the id is taken. */
  insert(checkpoint: IndexedCheckpoint): Promise<IndexedCheckpoint>;
  get(id: string): Promise<IndexedCheckpoint | undefined>;
  /** Newest first (ties: most recently inserted first). */
  list(filter: CheckpointIndexFilter): Promise<CheckpointRecord[]>;
  /** Resolves whether a checkpoint was removed. */
  remove(id: string): Promise<boolean>;
  /** How many checkpoints use this shadow repository. */
  countInRepo(repo: string): Promise<number>;
}

/**
 * A Claude Code process a server started, kept while it lives so that, should that server die,
 * the next one can stop it (see `stopOrphanedProcesses`).
 *
 * @example
 * ```ts
 * await store.processes.record({ pid: 4242, startTime: '81723', ownerPid: process.pid, ownerStartTime: '80011', sessionId: null, startedAt: Date.now() });
 * ```
 */
export interface CliProcessRecord {
  /** The CLI's process id. */
  readonly pid: number;
  /** Its start time as the process table gives it (`describeProcess`): a reused pid has another. */
  readonly startTime: string;
  /** The server process that started it. */
  readonly ownerPid: number;
  /** That server's start time. */
  readonly ownerStartTime: string;
  /** The session it was started for, when known (a new session's id comes later). */
  readonly sessionId: string | null;
  /** When it was started, epoch ms. */
  readonly startedAt: number;
}

/**
 * The Claude Code processes servers started and that may still live.
 *
 * @example
 * ```ts
 * const pids = (await store.processes.list()).map((process) => process.pid);
 * ```
 */
export interface CliProcessStore {
  /** Records a process (replacing a record of the same process). */
  record(record: CliProcessRecord): Promise<void>;
  /** Drops the record of a process that has exited (or was stopped). */
  forget(pid: number, startTime: string): Promise<void>;
  /** Every recorded process, of every server sharing the store, oldest first. */
  list(): Promise<CliProcessRecord[]>;
}

/**
 * What an owner can own: a Claude Code session, a background task, a checkpoint.
 *
 * @example
 * ```ts
 * const kind: OwnedKind = 'task';
 * ```
 */
export type OwnedKind = 'session' | 'task' | 'checkpoint';

/**
 * Who started what (with OAuth: a client and a user, as one opaque string). Something nobody
 * claimed (made without a token, or outside this server) has no owner.
 *
 * @example
 * ```ts
 * await store.owners.claim('task', task.id, owner);
 * const mine = await store.owners.idsOf('task', owner);
 * ```
 */
export interface OwnerStore {
  /** Records `owner` for `id` unless it has one already (the first claim wins; resuming a session keeps its owner). */
  claim(kind: OwnedKind, id: string, owner: string): Promise<void>;
  /** The owner, or `undefined` when nobody claimed it. */
  ownerOf(kind: OwnedKind, id: string): Promise<string | undefined>;
  /** Every id of `kind` that `owner` owns. */
  idsOf(kind: OwnedKind, owner: string): Promise<string[]>;
}

/**
 * The MCP tools' persistent state, one store per concern. `openStore` keeps it in SQLite in the
 * data folder (several server processes may share it); `createMemoryStore` keeps it in memory.
 *
 * @example
 * ```ts
 * const store = openStore({ dataDir });
 * await store.sessions.markRunningAsInterrupted();
 * await store.close();
 * ```
 */
export interface ClaudeToolsStore {
  /** Where the state lives, for messages: the database file, or `memory`. */
  readonly location: string;
  readonly sessions: SessionStore;
  readonly forks: ForkStore;
  readonly tasks: TaskStore;
  readonly checkpoints: CheckpointIndex;
  readonly processes: CliProcessStore;
  readonly owners: OwnerStore;
  /** Closes the store; later calls reject with `MCP_TOOLS_STORE_FAILED`. Safe to call twice. */
  close(): Promise<void>;
}
