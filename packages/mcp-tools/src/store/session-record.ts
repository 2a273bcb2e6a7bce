import { McpToolsError } from '../errors.js';
import type { CliProcessRecord, CompletedTurn, ListSessionsFilter, PlannedFork, SessionSeed } from './stores.js';

/**
 * Every status a stored session can have:
 *
 * | status | meaning |
 * | --- | --- |
 * | `idle` | ready for the next turn |
 * | `running` | a turn is in progress |
 * | `closed` | ended on purpose; not resumed |
 * | `failed` | the last turn failed (see `lastError`) |
 * | `interrupted` | the server stopped while a turn was running |
 *
 * @example
 * ```ts
 * const inputSchema = { status: z.enum(SESSION_STATUSES).optional() };
 * ```
 */
export const SESSION_STATUSES: readonly ['idle', 'running', 'closed', 'failed', 'interrupted'] = Object.freeze([
  'idle',
  'running',
  'closed',
  'failed',
  'interrupted',
] as const);

/**
 * One of {@link SESSION_STATUSES}.
 *
 * @example
 * ```ts
 * const status: SessionStatus = 'idle';
 * ```
 */
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/**
 * A Claude Code session as the store keeps it. Records returned by the store are frozen.
 *
 * @example
 * ```ts
 * const summary = (s: SessionRecord): string => `${s.id} ${s.status} ${s.turns} turns $${s.costUsd.toFixed(4)}`;
 * ```
 */
export interface SessionRecord {
  /** Claude Code session id (a UUID). */
  readonly id: string;
  /** Working directory the session runs in. */
  readonly cwd: string;
  /** Model of the last turn, when known. */
  readonly model: string | null;
  /** Creation time, epoch milliseconds. */
  readonly createdAt: number;
  /** Time of the last use, epoch milliseconds; lists are sorted by it, newest first. */
  readonly lastUsedAt: number;
  /** Completed Claude turns run through this server. */
  readonly turns: number;
  /** Summed cost of those turns in US dollars. */
  readonly costUsd: number;
  /** See {@link SESSION_STATUSES}. */
  readonly status: SessionStatus;
  /** For a fork, the session it was forked from (not necessarily one this store knows). */
  readonly parentId: string | null;
  /** Message of the last failure, or `null`. */
  readonly lastError: string | null;
}

/**
 * What `SessionStore.insert` takes: a {@link SessionRecord} whose `turns` and `costUsd` default to `0`
 * and `lastError` to `null`.
 *
 * @example
 * ```ts
 * const fresh: NewSessionRecord = {
 *   id: sessionId, cwd, model: null, createdAt: now, lastUsedAt: now, status: 'running', parentId: null,
 * };
 * ```
 */
export type NewSessionRecord = Omit<SessionRecord, 'turns' | 'costUsd' | 'lastError'> &
  Partial<Pick<SessionRecord, 'turns' | 'costUsd' | 'lastError'>>;

export function invalid(action: string, field: string, rule: string, value: unknown): McpToolsError {
  let shown: string;
  try {
    shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    shown = typeof value;
  }
  return new McpToolsError(
    'MCP_TOOLS_STORE_FAILED',
    `Cannot ${action}: ${field} must be ${rule} (got ${shown}).`,
  );
}

// Input checks for the store's methods; each throws `MCP_TOOLS_STORE_FAILED` naming the field.

/** A non-empty string. */
export function checkText(action: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw invalid(action, field, 'a non-empty string', value);
  return value;
}

/** A string (possibly empty) or `null`. */
export function checkTextOrNull(action: string, field: string, value: unknown): string | null {
  if (value !== null && typeof value !== 'string') throw invalid(action, field, 'a string or null', value);
  return value;
}

/** A whole number of at least 0 (counts, epoch milliseconds). */
export function checkWholeNumber(action: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(action, field, 'a whole number of at least 0', value);
  }
  return value;
}

/** A finite number of at least 0 (costs). */
export function checkCost(action: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(action, field, 'a finite number of at least 0', value);
  }
  return value;
}

/** One of {@link SESSION_STATUSES}. */
export function checkStatus(action: string, field: string, value: unknown): SessionStatus {
  if (!(SESSION_STATUSES as readonly unknown[]).includes(value)) {
    throw invalid(action, field, `one of ${SESSION_STATUSES.join(', ')}`, value);
  }
  return value as SessionStatus;
}

// Whole-input checks, shared by every store implementation so that they refuse alike.

/** An object (not null). */
export function checkObject(action: string, what: string, value: unknown): void {
  if (typeof value !== 'object' || value === null) {
    throw new McpToolsError('MCP_TOOLS_STORE_FAILED', `Cannot ${action}: the ${what} must be an object.`);
  }
}

/** A new session with its defaults filled in. */
export function checkNewSession(record: NewSessionRecord): SessionRecord {
  const action = 'insert a session';
  checkObject(action, 'record', record);
  return Object.freeze({
    id: checkText(action, 'id', record.id),
    cwd: checkText(action, 'cwd', record.cwd),
    model: checkTextOrNull(action, 'model', record.model),
    createdAt: checkWholeNumber(action, 'createdAt', record.createdAt),
    lastUsedAt: checkWholeNumber(action, 'lastUsedAt', record.lastUsedAt),
    turns: checkWholeNumber(action, 'turns', record.turns ?? 0),
    costUsd: checkCost(action, 'costUsd', record.costUsd ?? 0),
    status: checkStatus(action, 'status', record.status),
    parentId: checkTextOrNull(action, 'parentId', record.parentId),
    lastError: checkTextOrNull(action, 'lastError', record.lastError ?? null),
  });
}

/** A session list filter; `limit` is `undefined` for no limit. */
export function checkSessionFilter(filter: ListSessionsFilter): { status: SessionStatus | undefined; limit: number | undefined } {
  const action = 'list sessions';
  checkObject(action, 'filter', filter);
  const status = filter.status === undefined ? undefined : checkStatus(action, 'status', filter.status);
  if (filter.limit === undefined) return { status, limit: undefined };
  const limit = checkWholeNumber(action, 'limit', filter.limit);
  if (limit < 1) {
    throw new McpToolsError('MCP_TOOLS_STORE_FAILED', `Cannot ${action}: limit must be at least 1 (got ${limit}).`);
  }
  return { status, limit };
}

/** A completed turn; an omitted model becomes `null` (keep the stored one). */
export function checkTurn(id: string, turn: CompletedTurn): { costUsd: number; at: number; model: string | null } {
  const action = 'record a turn';
  checkText(action, 'id', id);
  checkObject(action, 'turn', turn);
  return {
    costUsd: checkCost(action, 'costUsd', turn.costUsd),
    at: checkWholeNumber(action, 'at', turn.at),
    model: turn.model === undefined ? null : checkTextOrNull(action, 'model', turn.model),
  };
}

/** A status change; `lastError` stays `undefined` when omitted (keep the stored one). */
export function checkStatusChange(id: string, status: SessionStatus, lastError: string | null | undefined): string | null | undefined {
  const action = 'set the status of a session';
  checkText(action, 'id', id);
  checkStatus(action, 'status', status);
  return lastError === undefined ? undefined : checkTextOrNull(action, 'lastError', lastError);
}

/** A process record, frozen. */
export function checkCliProcess(record: CliProcessRecord): CliProcessRecord {
  const action = 'record a Claude Code process';
  checkObject(action, 'record', record);
  return Object.freeze({
    pid: checkWholeNumber(action, 'pid', record.pid),
    startTime: checkText(action, 'startTime', record.startTime),
    ownerPid: checkWholeNumber(action, 'ownerPid', record.ownerPid),
    ownerStartTime: checkText(action, 'ownerStartTime', record.ownerStartTime),
    sessionId: checkTextOrNull(action, 'sessionId', record.sessionId),
    startedAt: checkWholeNumber(action, 'startedAt', record.startedAt),
  });
}

/** The error for an unknown session id. */
export function sessionNotFound(id: string): McpToolsError {
  return new McpToolsError(
    'MCP_TOOLS_SESSION_NOT_FOUND',
    `No session with id "${id}" is stored; list the sessions to find a valid id.`,
  );
}

/** The error for work on a closed store. */
export function storeClosed(action: string, location: string): McpToolsError {
  return new McpToolsError('MCP_TOOLS_STORE_FAILED', `Cannot ${action}: the state store ${location} is closed.`);
}

/** The message stored with a session the server stopped in the middle of. */
export const INTERRUPTED_MESSAGE =
  'The server stopped while this session was running; the last turn may be incomplete.';

/** The record a seed stands for. */
export function seedRecord(id: string, seed: SessionSeed, status: SessionStatus, lastError: string | null): NewSessionRecord {
  return { id, cwd: seed.cwd, model: seed.model, createdAt: seed.at, lastUsedAt: seed.at, status, parentId: null, lastError };
}

/** The session a planned fork stores with it: idle, in `cwd`, its parent named. */
export function checkForkSession(fork: PlannedFork, cwd: string): SessionRecord {
  return checkNewSession({
    id: fork.sessionId,
    cwd,
    model: null,
    createdAt: fork.createdAt,
    lastUsedAt: fork.createdAt,
    status: 'idle',
    parentId: checkText('plan a fork', 'parentId', fork.parentId),
  });
}
