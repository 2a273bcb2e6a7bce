// Internal: synchronous write transactions on one connection, nestable through savepoints.
import type { DatabaseSync } from 'node:sqlite';

import { McpToolsError } from '../../errors.js';
import { guard, isThenable, storeFailure } from './store-error.js';

/** Runs `work` synchronously inside one write transaction and returns its result. */
export type Transaction = <T>(work: () => T) => T;

/**
 * Returns a transaction runner for `database`. The outermost call takes the write lock at once
 * (`BEGIN IMMEDIATE`, so it waits up to `busy_timeout` instead of failing half-way); a call made
 * inside `work` becomes a savepoint, so an inner failure that the outer work catches undoes only
 * the inner part.
 */
export function createTransaction(database: DatabaseSync): Transaction {
  let depth = 0;

  const rollback = (savepoint: string | undefined): void => {
    try {
      database.exec(savepoint === undefined ? 'ROLLBACK' : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
    } catch {
      // SQLite already rolled back (it does so by itself after some errors, such as a full disk).
    }
  };

  return <T>(work: () => T): T => {
    if (typeof work !== 'function') {
      throw new McpToolsError('MCP_TOOLS_STORE_FAILED', 'A transaction needs a function to run.');
    }
    const savepoint = depth === 0 ? undefined : `claude_tools_${depth}`;
    guard('begin a transaction on the state database', () => {
      database.exec(savepoint === undefined ? 'BEGIN IMMEDIATE' : `SAVEPOINT ${savepoint}`);
    });
    depth += 1;
    let result: T;
    try {
      result = work();
      if (isThenable(result)) {
        // Its asynchronous rest would run outside the transaction. Refuse it, and keep its
        // eventual rejection from surfacing as an unhandled one.
        Promise.resolve(result).then(undefined, () => undefined);
        throw new McpToolsError(
          'MCP_TOOLS_STORE_FAILED',
          'A state-store transaction must be synchronous, but its work returned a promise; what it wrote before its first await was rolled back. Do the asynchronous part before or after the transaction.',
        );
      }
    } catch (error) {
      depth -= 1;
      rollback(savepoint);
      throw error;
    }
    depth -= 1;
    try {
      database.exec(savepoint === undefined ? 'COMMIT' : `RELEASE ${savepoint}`);
    } catch (error) {
      rollback(savepoint);
      throw storeFailure('commit a transaction on the state database', error);
    }
    return result;
  };
}
