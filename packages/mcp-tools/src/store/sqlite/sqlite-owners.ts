import { checkOwned } from '../memory/memory-owners.js';
import type { OwnedKind, OwnerStore } from '../stores.js';
import type { SqliteContext, Statements } from './sqlite-context.js';

const SQL = {
  claim: 'INSERT INTO owners (kind, id, owner) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO NOTHING',
  ownerOf: 'SELECT owner FROM owners WHERE kind = ? AND id = ?',
  idsOf: 'SELECT id FROM owners WHERE kind = ? AND owner = ?',
} as const;

/** Owners in the `owners` table. */
export class SqliteOwnerStore implements OwnerStore {
  readonly #db: SqliteContext;
  readonly #sql: Statements<typeof SQL>;

  constructor(db: SqliteContext) {
    this.#db = db;
    this.#sql = db.prepare(SQL);
  }

  async claim(kind: OwnedKind, id: string, owner: string): Promise<void> {
    checkOwned('claim an owner', kind, id, owner);
    this.#db.use('claim an owner', () => this.#sql.claim.run(kind, id, owner));
  }

  async ownerOf(kind: OwnedKind, id: string): Promise<string | undefined> {
    checkOwned('read an owner', kind, id);
    const row = this.#db.use('read an owner', () => this.#sql.ownerOf.get(kind, id));
    return row === undefined ? undefined : String(row['owner']);
  }

  async idsOf(kind: OwnedKind, owner: string): Promise<string[]> {
    checkOwned('list what an owner owns', kind, 'any', owner);
    return this.#db.use('list what an owner owns', () => this.#sql.idsOf.all(kind, owner).map((row) => String(row['id'])));
  }
}
