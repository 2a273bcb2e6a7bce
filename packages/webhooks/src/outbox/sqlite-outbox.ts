// The outbox in a SQLite file of the data folder (node:sqlite): written before any attempt, read
// back after a restart, shared by the processes of one data folder (claims are leases).
import { isAbsolute } from 'node:path';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';

import { openSqliteFile } from '@claude-code-mcp/sqlite-file';

import { WebhookError } from '../errors.js';
import type { AttemptRecord, OutboxDelivery, OutboxStore } from './outbox-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  message_id TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  event_type TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  last_error TEXT,
  last_status INTEGER,
  finished_at INTEGER,
  PRIMARY KEY (message_id, endpoint)
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS webhook_secrets (
  endpoint TEXT PRIMARY KEY,
  secret TEXT NOT NULL,
  created_at INTEGER NOT NULL
);`;

type Row = Record<string, SQLInputValue>;

const text = (value: SQLInputValue | undefined): string => (typeof value === 'string' ? value : '');
const textOrNull = (value: SQLInputValue | undefined): string | null => (typeof value === 'string' ? value : null);
const numberOrNull = (value: SQLInputValue | undefined): number | null => (value === null || value === undefined ? null : Number(value));

const deliveryOf = (row: Row): OutboxDelivery => ({
  messageId: text(row['message_id']),
  endpoint: text(row['endpoint']),
  eventType: text(row['event_type']),
  payload: text(row['payload']),
  createdAt: Number(row['created_at']),
  attempts: Number(row['attempts']),
  nextAttemptAt: Number(row['next_attempt_at']),
  status: text(row['status']) as OutboxDelivery['status'],
  lastError: textOrNull(row['last_error']),
  lastStatus: numberOrNull(row['last_status']),
  finishedAt: numberOrNull(row['finished_at']),
  claimedUntil: Number(row['lease_until']),
});

// `AND endpoint IN (?, …)` and its values, when the caller sends to some endpoints only.
const endpointClause = (endpoints: readonly string[] | undefined): [string, string[]] =>
  endpoints === undefined ? ['', []] : [` AND endpoint IN (${endpoints.map(() => '?').join(', ') || 'NULL'})`, [...endpoints]];

/**
 * Opens (creating it, owner-only, WAL) the outbox file `file`.
 *
 * @throws {@link WebhookError} `WEBHOOK_INVALID_OPTIONS` for a relative path; `WEBHOOK_STORE_FAILED` when it cannot be opened.
 *
 * @example
 * ```ts
 * const store = openSqliteOutbox(join(dataDir, 'webhooks.sqlite'));
 * ```
 */
export function openSqliteOutbox(file: string): OutboxStore {
  if (typeof file !== 'string' || !isAbsolute(file) || file.includes('\0')) {
    throw new WebhookError('WEBHOOK_INVALID_OPTIONS', `The outbox file must be an absolute path (got ${JSON.stringify(file)}).`);
  }
  let database: DatabaseSync;
  try {
    database = openSqliteFile(file, { secureDelete: true });
    database.exec(SCHEMA);
  } catch (error) {
    throw new WebhookError('WEBHOOK_STORE_FAILED', `Could not open the webhook outbox ${file}: ${(error as Error).message}`, { cause: error });
  }
  return new SqliteOutbox(database, file);
}

class SqliteOutbox implements OutboxStore {
  readonly #database: DatabaseSync;
  readonly #file: string;
  #closed = false;

  constructor(database: DatabaseSync, file: string) {
    this.#database = database;
    this.#file = file;
  }

  // node:sqlite is synchronous: a failure becomes the package's error, as a rejected promise.
  #use<T>(action: string, work: (database: DatabaseSync) => T): Promise<T> {
    try {
      if (this.#closed) throw new Error('the outbox is closed');
      return Promise.resolve(work(this.#database));
    } catch (error) {
      return Promise.reject(new WebhookError('WEBHOOK_STORE_FAILED', `Could not ${action} in the webhook outbox ${this.#file}: ${(error as Error).message}`, { cause: error }));
    }
  }

  add(deliveries: Parameters<OutboxStore['add']>[0]): Promise<void> {
    return this.#use('store deliveries', (database) => {
      const insert = database.prepare(
        `INSERT OR IGNORE INTO webhook_deliveries (message_id, endpoint, event_type, payload, created_at, next_attempt_at, status) VALUES (?, ?, ?, ?, ?, ?, 'pending')`,
      );
      database.exec('BEGIN IMMEDIATE');
      try {
        for (const delivery of deliveries) insert.run(delivery.messageId, delivery.endpoint, delivery.eventType, delivery.payload, delivery.createdAt, delivery.createdAt);
        database.exec('COMMIT');
      } catch (error) {
        database.exec('ROLLBACK');
        throw error;
      }
    });
  }

  claimDue(now: number, leaseMs: number, limit: number, endpoints?: readonly string[]): Promise<OutboxDelivery[]> {
    const [only, values] = endpointClause(endpoints);
    return this.#use('claim due deliveries', (database) =>
      (
        database
          .prepare(
            `UPDATE webhook_deliveries SET lease_until = ? WHERE rowid IN (
               SELECT rowid FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? AND lease_until <= ?${only} ORDER BY next_attempt_at LIMIT ?
             ) RETURNING *`,
          )
          .all(now + leaseMs, now, now, ...values, limit) as Row[]
      )
        .map(deliveryOf)
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt),
    );
  }

  nextDueAt(endpoints?: readonly string[]): Promise<number | undefined> {
    const [only, values] = endpointClause(endpoints);
    return this.#use('read the next due delivery', (database) => {
      const row = database.prepare(`SELECT MIN(MAX(next_attempt_at, lease_until)) AS due FROM webhook_deliveries WHERE status = 'pending'${only}`).get(...values) as Row | undefined;
      return row?.['due'] === null || row?.['due'] === undefined ? undefined : Number(row['due']);
    });
  }

  recordAttempt(messageId: string, endpoint: string, attempt: AttemptRecord): Promise<void> {
    const status = attempt.error === undefined ? 'delivered' : attempt.nextAttemptAt === undefined ? 'dead' : 'pending';
    return this.#use('record an attempt', (database) => {
      database
        .prepare(
          `UPDATE webhook_deliveries SET attempts = attempts + 1, status = ?, last_error = ?, last_status = ?, lease_until = 0,
             next_attempt_at = COALESCE(?, next_attempt_at), finished_at = ? WHERE message_id = ? AND endpoint = ? AND status = 'pending' AND lease_until = ?`,
        )
        .run(status, attempt.error ?? null, attempt.status, attempt.nextAttemptAt ?? null, status === 'pending' ? null : attempt.at, messageId, endpoint, attempt.claimedUntil);
    });
  }

  deadLetters(limit: number): Promise<OutboxDelivery[]> {
    return this.#use('list dead deliveries', (database) =>
      (database.prepare(`SELECT * FROM webhook_deliveries WHERE status = 'dead' ORDER BY finished_at DESC LIMIT ?`).all(limit) as Row[]).map(deliveryOf),
    );
  }

  replay(now: number, messageId?: string): Promise<number> {
    return this.#use('replay dead deliveries', (database) => {
      const reset = `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = 0, finished_at = NULL WHERE status = 'dead'`;
      const result = messageId === undefined ? database.prepare(reset).run(now) : database.prepare(`${reset} AND message_id = ?`).run(now, messageId);
      return Number(result.changes);
    });
  }

  counts(endpoints?: readonly string[]): Promise<{ readonly pending: number; readonly dead: number; readonly delivered: number }> {
    const [only, values] = endpointClause(endpoints);
    return this.#use('count deliveries', (database) => {
      const counts = { pending: 0, dead: 0, delivered: 0 };
      for (const row of database.prepare(`SELECT status, COUNT(*) AS count FROM webhook_deliveries WHERE 1 = 1${only} GROUP BY status`).all(...values) as Row[]) {
        counts[text(row['status']) as keyof typeof counts] = Number(row['count']);
      }
      return counts;
    });
  }

  prune(deliveredBefore: number, deadBefore: number): Promise<number> {
    return this.#use('prune old deliveries', (database) =>
      Number(database.prepare(`DELETE FROM webhook_deliveries WHERE (status = 'delivered' AND finished_at < ?) OR (status = 'dead' AND finished_at < ?)`).run(deliveredBefore, deadBefore).changes),
    );
  }

  secretFor(endpoint: string, generate: () => string, now: number): Promise<{ readonly secret: string; readonly created: boolean }> {
    return this.#use('read the endpoint secret', (database) => {
      const existing = database.prepare('SELECT secret FROM webhook_secrets WHERE endpoint = ?').get(endpoint) as Row | undefined;
      if (existing) return { secret: text(existing['secret']), created: false };
      const created = Number(database.prepare('INSERT OR IGNORE INTO webhook_secrets (endpoint, secret, created_at) VALUES (?, ?, ?)').run(endpoint, generate(), now).changes) === 1;
      const stored = database.prepare('SELECT secret FROM webhook_secrets WHERE endpoint = ?').get(endpoint) as Row;
      return { secret: text(stored['secret']), created };
    });
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#database.close();
    }
    return Promise.resolve();
  }
}
