import { McpToolsError } from '../../errors.js';
import type { CheckpointRecord } from '../checkpoint-record.js';
import { checkCheckpointFilter, checkIndexedCheckpoint } from '../record-checks.js';
import type { CheckpointIndex, CheckpointIndexFilter, IndexedCheckpoint } from '../stores.js';
import { textOrNull, type Row, type SqliteContext, type Statements } from './sqlite-context.js';
import { isSqliteError, SQLITE_CONSTRAINT_PRIMARYKEY } from './store-error.js';

const SQL = {
  insert: `INSERT INTO checkpoints (id, cwd, repo, label, session_id, last_message_id, commit_oid, file_count, bytes, created_at)
           VALUES (:id, :cwd, :repo, :label, :sessionId, :lastMessageId, :commit, :fileCount, :bytes, :createdAt)
           RETURNING *`,
  get: 'SELECT * FROM checkpoints WHERE id = ?',
  list: `SELECT * FROM checkpoints
         WHERE (:cwd IS NULL OR cwd = :cwd) AND (:sessionId IS NULL OR session_id = :sessionId)
         ORDER BY created_at DESC, rowid DESC LIMIT :limit`,
  remove: 'DELETE FROM checkpoints WHERE id = ?',
  countInRepo: 'SELECT COUNT(*) AS count FROM checkpoints WHERE repo = ?',
} as const;

function toIndexed(row: Row): IndexedCheckpoint {
  return Object.freeze({
    repo: String(row['repo']),
    record: Object.freeze({
      id: String(row['id']),
      label: textOrNull(row['label']),
      cwd: String(row['cwd']),
      sessionId: textOrNull(row['session_id']),
      lastMessageId: textOrNull(row['last_message_id']),
      commit: String(row['commit_oid']),
      fileCount: Number(row['file_count']),
      bytes: Number(row['bytes']),
      createdAt: Number(row['created_at']),
    }),
  });
}

/** The checkpoint index in the `checkpoints` table. */
export class SqliteCheckpointIndex implements CheckpointIndex {
  readonly #db: SqliteContext;
  readonly #sql: Statements<typeof SQL>;

  constructor(db: SqliteContext) {
    this.#db = db;
    this.#sql = db.prepare(SQL);
  }

  async insert(checkpoint: IndexedCheckpoint): Promise<IndexedCheckpoint> {
    const { record, repo } = checkIndexedCheckpoint(checkpoint);
    return this.#db.use('store a checkpoint', () => {
      try {
        return toIndexed(this.#sql.insert.get({ ...record, repo })!);
      } catch (error) {
        if (isSqliteError(error) && error.errcode === SQLITE_CONSTRAINT_PRIMARYKEY) {
          throw new McpToolsError('MCP_TOOLS_STORE_FAILED', `Cannot store checkpoint "${record.id}": that id is taken.`, { cause: error });
        }
        throw error;
      }
    });
  }

  async get(id: string): Promise<IndexedCheckpoint | undefined> {
    const row = this.#db.use('read a checkpoint', () => this.#sql.get.get(id));
    return row === undefined ? undefined : toIndexed(row);
  }

  async list(filter: CheckpointIndexFilter): Promise<CheckpointRecord[]> {
    const checked = checkCheckpointFilter(filter);
    const values = { cwd: checked.cwd, sessionId: checked.sessionId, limit: checked.limit ?? -1 };
    return this.#db.use('list checkpoints', () => this.#sql.list.all(values)).map((row) => toIndexed(row).record);
  }

  async remove(id: string): Promise<boolean> {
    return this.#db.use('delete a checkpoint', () => Number(this.#sql.remove.run(id).changes) > 0);
  }

  async countInRepo(repo: string): Promise<number> {
    return this.#db.use('count checkpoints', () => Number(this.#sql.countInRepo.get(repo)?.['count'] ?? 0));
  }
}
