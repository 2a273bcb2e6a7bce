// The `checkpoints` table, created by migration 3 (migrations.ts).

/**
 * Creates the `checkpoints` table: one row per checkpoint. `repo` is the shadow repository's
 * folder name under `<dataDir>/checkpoints/`; `commit_oid` is the checkpoint's commit there (also
 * kept reachable by the ref `refs/checkpoints/<id>`). No foreign key on `session_id`: a checkpoint
 * may name a session this store does not know.
 */
export const CHECKPOINTS_MIGRATION_SQL = `
  CREATE TABLE checkpoints (
    id              TEXT    NOT NULL PRIMARY KEY CHECK (id <> ''),
    cwd             TEXT    NOT NULL,
    repo            TEXT    NOT NULL,
    label           TEXT,
    session_id      TEXT,
    last_message_id TEXT,
    commit_oid      TEXT    NOT NULL,
    file_count      INTEGER NOT NULL CHECK (file_count >= 0),
    bytes           INTEGER NOT NULL CHECK (bytes >= 0),
    created_at      INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX checkpoints_by_cwd ON checkpoints (cwd, created_at DESC);
  CREATE INDEX checkpoints_by_session ON checkpoints (session_id, created_at DESC);
  CREATE INDEX checkpoints_by_repo ON checkpoints (repo);
`;
