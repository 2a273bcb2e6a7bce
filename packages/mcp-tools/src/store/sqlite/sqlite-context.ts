// Internal: one open connection shared by the SQLite stores, with the closed check and the
// "Could not <action> in <file>" wrapping every statement goes through.
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';

import { storeClosed } from '../session-record.js';
import { guard, storeFailure } from './store-error.js';
import { createTransaction, type Transaction } from './transaction.js';

/** Prepared statements by name. */
export type Statements<T> = { readonly [K in keyof T]: StatementSync };

/** A row as node:sqlite returns it. */
export type Row = NonNullable<ReturnType<StatementSync['get']>>;

export class SqliteContext {
  readonly file: string;
  readonly #database: DatabaseSync;
  readonly #transaction: Transaction;
  #open = true;

  constructor(database: DatabaseSync, file: string) {
    this.#database = database;
    this.file = file;
    this.#transaction = createTransaction(database);
  }

  /** Prepares statements once, at open. */
  prepare<T extends Record<string, string>>(sql: T): Statements<T> {
    return guard(`prepare the statements of ${this.file}`, () => {
      const entries = Object.entries(sql).map(([name, text]) => [name, this.#database.prepare(text)]);
      return Object.freeze(Object.fromEntries(entries)) as Statements<T>;
    });
  }

  /** Runs `work` on the open database, wrapping SQLite errors as "Could not <action> in <file>". */
  use<T>(action: string, work: () => T): T {
    if (!this.#open) throw storeClosed(action, this.file);
    return guard(`${action} in ${this.file}`, work);
  }

  /** Runs `work` in one write transaction (several writes that belong together). */
  atomically<T>(action: string, work: () => T): T {
    return this.use(action, () => this.#transaction(work));
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    try {
      this.#database.close();
    } catch (error) {
      throw storeFailure(`close the state database ${this.file}`, error);
    }
  }
}

/** `null` for SQL NULL, else the text. */
export function textOrNull(value: SQLOutputValue | undefined): string | null {
  return value == null ? null : String(value);
}

/** `null` for SQL NULL, else the number. */
export function numberOrNull(value: SQLOutputValue | undefined): number | null {
  return value == null ? null : Number(value);
}
