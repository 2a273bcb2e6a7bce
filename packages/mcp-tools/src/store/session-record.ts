import type { StatementSync } from 'node:sqlite';

import { McpToolsError } from '../errors.js';

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
 * What `insertSession` takes: a {@link SessionRecord} whose `turns` and `costUsd` default to `0`
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

type Row = NonNullable<ReturnType<StatementSync['get']>>;

/** Maps a `sessions` row (snake_case columns) to a frozen {@link SessionRecord}. */
export function toSessionRecord(row: Row): SessionRecord {
  return Object.freeze({
    id: String(row.id),
    cwd: String(row.cwd),
    model: row.model == null ? null : String(row.model),
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    turns: Number(row.turns),
    costUsd: Number(row.cost_usd),
    status: String(row.status) as SessionStatus,
    parentId: row.parent_id == null ? null : String(row.parent_id),
    lastError: row.last_error == null ? null : String(row.last_error),
  });
}

function invalid(action: string, field: string, rule: string, value: unknown): McpToolsError {
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
